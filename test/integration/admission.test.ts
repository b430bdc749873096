// Admission by the user's account and D1 as the index (SPEC §15): the per-user limit and
// Idempotency-Keys hold exactly under parallel creates on both routes; a run's slot is a lease its
// object renews and that lapses when the object never comes back; a created run is in the list at
// once; a live run's record comes from its object and equals D1's once the run has ended.
import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { createDb } from "../../src/db/client";
import { readOwnExecution } from "../../src/db/execution-contents";
import { findOwnExecution } from "../../src/db/execution-queries";
import type { UserAccount } from "../../src/durable/user-account";
import { getConfig } from "../../src/lib/config";
import { executionView } from "../../src/routes/views";
import { accountStub, summaryFor } from "../helpers/account";
import { api, apiJson, type ErrorJson } from "../helpers/api";
import { newUser } from "../helpers/auth";
import { type CreatedExecution, createToolFor, followEvents } from "../helpers/executions";
import { sessionStub } from "../helpers/session";
import { lessonPlanner } from "../helpers/tools";
import { scriptModel, streamOf, upstreamRequests, waitFor } from "../helpers/upstream";

const config = getConfig(env);
const LIMIT = config.maxConcurrentExecutions;
const hanging = () => scriptModel({ kind: "stream", chunks: ["a ", "b"], hangAfter: 1 });

/** POST /api/executions or the original endpoint, alternately; the original endpoint's stream is left open. */
async function createBoth(user: string, toolId: string, index: number, headers: Record<string, string> = {}) {
  const body = { toolId, inputs: { topic: "t" } };
  if (index % 2 === 0) {
    const created = await apiJson<CreatedExecution>("/api/executions", { user, body, headers });
    return { status: created.status, id: created.body?.id ?? null };
  }
  const response = await api("/api/assistant-architect/stream", { user, body, headers });
  const id = response.headers.get("X-Execution-Id");
  await response.body?.cancel();
  return { status: response.status, id };
}

describe("admission by the user's account", () => {
  it("holds the per-user limit exactly under 20 parallel creates across both routes", async () => {
    const user = newUser();
    const tool = await createToolFor(user, lessonPlanner(await hanging()));
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => createBoth(user, tool.id, i)));
    const admitted = results.filter((result) => result.status === 200 || result.status === 201);
    expect(admitted).toHaveLength(LIMIT);
    expect(results.filter((result) => result.status === 429)).toHaveLength(20 - LIMIT);
    for (const { id } of admitted) await api(`/api/executions/${id}/cancel`, { user, method: "POST" });
  });

  it("makes one execution of 20 parallel creates with one Idempotency-Key, across both routes, run once", async () => {
    const user = newUser();
    const model = await scriptModel(streamOf("once"));
    const tool = await createToolFor(user, lessonPlanner(model));
    const headers = { "Idempotency-Key": `key-${crypto.randomUUID()}` };
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => createBoth(user, tool.id, i, headers)));
    expect(new Set(results.map((result) => result.id)).size).toBe(1);
    expect(results.every((result) => result.status === 200 || result.status === 201)).toBe(true);
    await followEvents(user, results[0]?.id ?? "");
    // The tool has two prompts on the same model: one run asks it twice, never more.
    expect(await upstreamRequests(model)).toHaveLength(2);
  });

  it("frees the slot of a run whose object died and never came back once its lease lapses; a live run keeps its own", async () => {
    const user = newUser();
    const tool = await createToolFor(user, lessonPlanner(await hanging()));
    const live = await apiJson<CreatedExecution>("/api/executions", {
      user,
      body: { toolId: tool.id, inputs: { topic: "t" } },
    });
    expect(live.status).toBe(201);
    // Runs whose objects are gone: their leases are never renewed.
    const account = accountStub(user);
    const limits = {
      maxConcurrent: LIMIT,
      pendingTtlMs: config.pendingTtlMs,
      leaseMs: config.executionLeaseMs,
      dailyCap: 0,
      maxWaiting: config.maxWaitingExecutions,
    };
    for (let i = 1; i < LIMIT; i++) {
      const id = crypto.randomUUID();
      const admitted = await account.admit(
        user,
        {
          executionId: id,
          createdAt: Date.now(),
          start: true,
          idempotencyKey: null,
          fingerprints: [],
          need: 0,
          summary: summaryFor(id),
        },
        limits,
      );
      expect(admitted).toEqual({ kind: "admitted" });
    }
    const create = () =>
      apiJson<ErrorJson>("/api/executions", { user, body: { toolId: tool.id, inputs: { topic: "t" } } });
    expect((await create()).status).toBe(429);
    // EXECUTION_LEASE_MS later: the dead runs' leases lapsed; the live run renewed its lease from its alarm.
    await runInDurableObject(account, (instance: UserAccount) =>
      instance.useClock(() => Date.now() + config.executionLeaseMs + 1),
    );
    expect(await runDurableObjectAlarm(sessionStub(live.body.id))).toBe(true);
    const fresh: string[] = [];
    for (let i = 1; i < LIMIT; i++) {
      const created = await create();
      expect(created.status).toBe(201);
      fresh.push((created.body as unknown as CreatedExecution).id);
    }
    expect((await create()).status).toBe(429);
    for (const id of [live.body.id, ...fresh]) await api(`/api/executions/${id}/cancel`, { user, method: "POST" });
  });
});

describe("reads that need no D1", () => {
  it("lists a created run at once, with its status, before D1 has indexed it", async () => {
    const user = newUser();
    const tool = await createToolFor(user, lessonPlanner(await hanging()));
    const created = await apiJson<CreatedExecution>("/api/executions", {
      user,
      body: { toolId: tool.id, inputs: { topic: "t" } },
    });
    const list = await apiJson<{ executions: { id: string; status: string }[] }>("/api/executions", { user });
    expect(list.body.executions.map((item) => [item.id, item.status])).toEqual([[created.body.id, "running"]]);
    await api(`/api/executions/${created.body.id}/cancel`, { user, method: "POST" });
  });

  it("answers a live run's record from its object (each prompt's output so far), equal to D1's once it ended", async () => {
    const user = newUser();
    const slow = await scriptModel(streamOf("slowly but surely", 3, { chunkDelayMs: 60 }));
    const tool = await createToolFor(user, lessonPlanner(slow));
    const created = await apiJson<CreatedExecution>("/api/executions", {
      user,
      body: { toolId: tool.id, inputs: { topic: "t" } },
    });
    const live = await waitFor(
      async () => {
        const { body } = await apiJson<{ status: string; results: { output: string }[] }>(
          `/api/executions/${created.body.id}`,
          { user },
        );
        return body.results[0]?.output ? body : undefined;
      },
      5_000,
      "a partial output",
    );
    expect(live.status).toBe("running");
    expect("slowly but surely".startsWith(live.results[0]?.output ?? "x")).toBe(true);
    await followEvents(user, created.body.id);
    const fromObject = (await apiJson(`/api/executions/${created.body.id}`, { user })).body;
    const db = createDb(env.DB);
    const row = await waitFor(
      async () => {
        const found = await findOwnExecution(db, created.body.id, user);
        return found?.status === "completed" ? found : undefined;
      },
      5_000,
      "D1's record",
    );
    const contents = await readOwnExecution(db, env.OUTPUTS, row.id, user);
    const fromD1 = contents && executionView(contents);
    expect(JSON.parse(JSON.stringify(fromD1))).toEqual(fromObject);
  });
});
