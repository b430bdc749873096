// Pending executions (created with start:false for the original endpoint) expire after
// PENDING_TTL_MS, through their object's alarm or the next read, and starting one passes the same
// atomic concurrency limit as creating a running one.
import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { createDb } from "../../src/db/client";
import { insertExecutionWithinLimit, markPendingRunning } from "../../src/db/execution-queries";
import type { ExecutionSession } from "../../src/durable/execution-session";
import { getConfig } from "../../src/lib/config";
import { api, apiJson, type ErrorJson } from "../helpers/api";
import { newUser } from "../helpers/auth";
import { createToolFor, getRecord } from "../helpers/executions";
import { newExecution } from "../helpers/new-execution";
import { advanceClock, sessionStub } from "../helpers/session";
import { lessonPlanner } from "../helpers/tools";
import { scriptModel, streamOf } from "../helpers/upstream";

const TTL_MS = getConfig(env).pendingTtlMs;

/** Moves an execution's creation back past the pending TTL, as if that much time had passed. */
const ageBeyondTtl = (executionId: string) =>
  env.DB.prepare("UPDATE tool_executions SET created_at = created_at - ? WHERE id = ?")
    .bind(TTL_MS + 1_000, executionId)
    .run();

async function pendingExecution(user: string, toolId: string): Promise<string> {
  const created = await apiJson<{ id: string; status: string }>("/api/executions", {
    user,
    body: { toolId, inputs: { topic: "t" }, start: false },
  });
  expect(created.body.status).toBe("pending");
  return created.body.id;
}

const expectExpired = async (user: string, executionId: string) => {
  const record = await getRecord(user, executionId);
  expect(record.status).toBe("canceled");
  expect(record.error?.code).toBe("expired");
  expect(record.error?.message).toBe(
    `The execution was not started within ${TTL_MS} ms of its creation, so it was canceled`,
  );
  expect(record.results.map((result) => result.status)).toEqual(["skipped", "skipped"]);
};

describe("pending executions expire after PENDING_TTL_MS", () => {
  it("through their object's alarm, set when they are created", async () => {
    const user = newUser();
    const tool = await createToolFor(user, lessonPlanner(await scriptModel(streamOf("never"))));
    const id = await pendingExecution(user, tool.id);
    // The alarm rings when the TTL has passed (the object's clock moved there), not before.
    const stub = sessionStub(id);
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    expect((await getRecord(user, id)).status).toBe("pending");
    await ageBeyondTtl(id);
    await runInDurableObject(stub, (instance: ExecutionSession) => advanceClock(instance, TTL_MS + 1_000));
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    await expectExpired(user, id);
  });

  it("or through the next read when it comes first, for the record and the list alike", async () => {
    const user = newUser();
    const tool = await createToolFor(user, lessonPlanner(await scriptModel(streamOf("never"))));
    const [first, second] = [await pendingExecution(user, tool.id), await pendingExecution(user, tool.id)];
    await ageBeyondTtl(first);
    await ageBeyondTtl(second);
    await expectExpired(user, first);
    const list = await apiJson<{ executions: { id: string; status: string }[] }>("/api/executions", { user });
    expect(list.body.executions.map((execution) => [execution.id, execution.status]).sort()).toEqual(
      [first, second].sort().map((id) => [id, "canceled"]),
    );
  });

  it("cannot be started once expired: the original endpoint answers 409 and nothing runs", async () => {
    const user = newUser();
    const tool = await createToolFor(user, lessonPlanner(await scriptModel(streamOf("never"))));
    const id = await pendingExecution(user, tool.id);
    await ageBeyondTtl(id);
    const refused = await apiJson<ErrorJson>("/api/assistant-architect/stream", {
      user,
      body: { toolId: tool.id, executionId: id },
    });
    expect(refused.status).toBe(409);
    expect(refused.body.error.message).toMatch(/has expired; create a new one/);
    await expectExpired(user, id);
  });
});

describe("the concurrency limit holds for pending executions", () => {
  it("5 old pending + 5 running cannot become 10 running (MAX_CONCURRENT_EXECUTIONS=5)", async () => {
    const user = newUser();
    const slow = await scriptModel(streamOf("x".repeat(60), 1, { chunkDelayMs: 100 }));
    const tool = await createToolFor(user, lessonPlanner(slow));
    const pending: string[] = [];
    for (let i = 0; i < 5; i++) pending.push(await pendingExecution(user, tool.id));
    // While young, the pending ones hold the five slots.
    expect(
      (await apiJson<ErrorJson>("/api/executions", { user, body: { toolId: tool.id, inputs: { topic: "t" } } })).status,
    ).toBe(429);
    for (const id of pending) await ageBeyondTtl(id);
    const running: string[] = [];
    for (let i = 0; i < 5; i++) {
      const created = await apiJson<{ id: string }>("/api/executions", {
        user,
        body: { toolId: tool.id, inputs: { topic: "t" } },
      });
      expect(created.status).toBe(201);
      running.push(created.body.id);
    }
    for (const id of pending) {
      const started = await api("/api/assistant-architect/stream", {
        user,
        body: { toolId: tool.id, executionId: id },
      });
      expect(started.status).toBe(409);
    }
    const live = await env.DB.prepare(
      "SELECT count(*) AS n FROM tool_executions WHERE owner_id = ? AND status = 'running'",
    )
      .bind(user)
      .first<{ n: number }>();
    expect(live?.n).toBe(5);
    for (const id of running) await api(`/api/executions/${id}/cancel`, { user, method: "POST" });
  });

  it("starting a pending execution is refused atomically when its owner is at the limit, and only one start wins", async () => {
    const owner = newUser();
    const limits = { maxConcurrent: 100, pendingTtlMs: TTL_MS };
    const insert = (status: "pending" | "running") =>
      insertExecutionWithinLimit(createDb(env.DB), newExecution(owner, { status }), limits);
    const pendingId = crypto.randomUUID();
    await insertExecutionWithinLimit(
      createDb(env.DB),
      newExecution(owner, { id: pendingId, status: "pending" }),
      limits,
    );
    for (let i = 0; i < 5; i++) expect(await insert("running")).toBe("created");
    const execution = { id: pendingId, ownerId: owner };
    expect(
      await markPendingRunning(createDb(env.DB), execution, Date.now(), { maxConcurrent: 5, pendingTtlMs: TTL_MS }),
    ).toBe("limit_reached");
    const both = await Promise.all(
      [0, 1].map(() =>
        markPendingRunning(createDb(env.DB), execution, Date.now(), { maxConcurrent: 6, pendingTtlMs: TTL_MS }),
      ),
    );
    expect(both.sort()).toEqual(["not_pending", "started"]);
  });
});
