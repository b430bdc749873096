// Pending executions (created with start:false for the original endpoint) hold a slot on their
// owner's account until they start or PENDING_TTL_MS passes; then their object expires them (its
// alarm, or the next read when it comes first) and starting them is a 409. Starting one takes a slot
// exactly, in one turn of the account.
import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { ExecutionSession } from "../../src/durable/execution-session";
import type { UserAccount } from "../../src/durable/user-account";
import { getConfig } from "../../src/lib/config";
import { accountStub, summaryFor } from "../helpers/account";
import { api, apiJson, type ErrorJson } from "../helpers/api";
import { newUser } from "../helpers/auth";
import { createToolFor, getRecord } from "../helpers/executions";
import { advanceClock, sessionStub } from "../helpers/session";
import { lessonPlanner } from "../helpers/tools";
import { scriptModel, streamOf, waitFor } from "../helpers/upstream";

const TTL_MS = getConfig(env).pendingTtlMs;

async function pendingExecution(user: string, toolId: string): Promise<string> {
  const created = await apiJson<{ id: string; status: string }>("/api/executions", {
    user,
    body: { toolId, inputs: { topic: "t" }, start: false },
  });
  expect(created.body.status).toBe("pending");
  return created.body.id;
}

/** As if the TTL had passed: for the execution's object and for its owner's account. */
async function pastTtl(user: string, executionId: string): Promise<void> {
  await runInDurableObject(sessionStub(executionId), (instance: ExecutionSession) =>
    advanceClock(instance, TTL_MS + 1),
  );
  await runInDurableObject(accountStub(user), (instance: UserAccount) =>
    instance.useClock(() => Date.now() + TTL_MS + 1),
  );
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
  it("through their object's alarm, which rings when the TTL has passed and not before", async () => {
    const user = newUser();
    const tool = await createToolFor(user, lessonPlanner(await scriptModel(streamOf("never"))));
    const id = await pendingExecution(user, tool.id);
    const stub = sessionStub(id);
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    expect((await getRecord(user, id)).status).toBe("pending");
    await runInDurableObject(stub, (instance: ExecutionSession) => advanceClock(instance, TTL_MS + 1));
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    await expectExpired(user, id);
  });

  it("or through the next read when it comes first, for the record and the list alike", async () => {
    const user = newUser();
    const tool = await createToolFor(user, lessonPlanner(await scriptModel(streamOf("never"))));
    const [first, second] = [await pendingExecution(user, tool.id), await pendingExecution(user, tool.id)];
    await pastTtl(user, first);
    await pastTtl(user, second);
    await expectExpired(user, first);
    await expectExpired(user, second);
    // The list has an ended run whole within seconds (SPEC §15), its account told once D1 has it.
    await waitFor(
      async () => {
        const list = await apiJson<{ executions: { id: string; status: string }[] }>("/api/executions", { user });
        return list.body.executions.every((execution) => execution.status === "canceled");
      },
      5_000,
      "the list to show both expired",
    );
  });

  it("cannot be started once expired: the original endpoint answers 409 and nothing runs", async () => {
    const user = newUser();
    const tool = await createToolFor(user, lessonPlanner(await scriptModel(streamOf("never"))));
    const id = await pendingExecution(user, tool.id);
    await runInDurableObject(accountStub(user), (instance: UserAccount) =>
      instance.useClock(() => Date.now() + TTL_MS + 1),
    );
    const refused = await apiJson<ErrorJson>("/api/assistant-architect/stream", {
      user,
      body: { toolId: tool.id, executionId: id },
    });
    expect(refused.status).toBe(409);
    expect(refused.body.error.message).toMatch(/has expired; create a new one/);
    await pastTtl(user, id);
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
    await runInDurableObject(accountStub(user), (instance: UserAccount) =>
      instance.useClock(() => Date.now() + TTL_MS + 1),
    );
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
    const list = await apiJson<{ executions: { status: string }[] }>("/api/executions?status=running", { user });
    expect(list.body.executions).toHaveLength(5);
    for (const id of running) await api(`/api/executions/${id}/cancel`, { user, method: "POST" });
  });

  it("starting a pending execution is refused exactly when its owner is at the limit, and only one start wins", async () => {
    const owner = newUser();
    const account = accountStub(owner);
    const limits = { maxConcurrent: 100, pendingTtlMs: TTL_MS, leaseMs: 60_000, dailyCap: 0, maxWaiting: 20 };
    const admit = (id: string, start: boolean) =>
      account.admit(
        owner,
        {
          executionId: id,
          createdAt: Date.now(),
          start,
          idempotencyKey: null,
          fingerprints: [],
          need: 0,
          summary: summaryFor(id),
        },
        limits,
      );
    const pendingId = crypto.randomUUID();
    expect(await admit(pendingId, false)).toEqual({ kind: "admitted" });
    for (let i = 0; i < 5; i++) expect(await admit(crypto.randomUUID(), true)).toEqual({ kind: "admitted" });
    expect(await account.startPending(owner, pendingId, 0, { ...limits, maxConcurrent: 5 })).toBe("limit_reached");
    const both = await Promise.all(
      [0, 1].map(() => account.startPending(owner, pendingId, 0, { ...limits, maxConcurrent: 6 })),
    );
    expect(both.sort()).toEqual(["not_pending", "started"]);
  });
});
