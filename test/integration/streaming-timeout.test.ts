import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { ExecutionSession } from "../../src/durable/execution-session";
import { newUser } from "../helpers/auth";
import { createToolFor, followEvents, getRecord, startExecution, waitForOutput } from "../helpers/executions";
import { advanceClock, sessionStub, stateOf } from "../helpers/session";
import { lessonPlanner } from "../helpers/tools";
import { scriptModel, streamOf, upstreamRequests, waitFor } from "../helpers/upstream";

describe("the execution time cap (MAX_EXECUTION_MS)", () => {
  it("times out through the alarm: timed_out, partial output kept, later prompts skipped, upstream closed", async () => {
    const user = newUser();
    const model = await scriptModel({ kind: "stream", chunks: ["Slow ", "start ", "never ends"], hangAfter: 2 });
    const tool = await createToolFor(user, lessonPlanner(model));
    const execution = await startExecution(user, tool.id, { topic: "slow" });
    await waitForOutput(user, execution.id, "Slow start ");

    const stub = sessionStub(execution.id);
    const limitMs = await runInDurableObject(stub, (instance: ExecutionSession) => {
      const { limitMs } = stateOf(instance);
      advanceClock(instance, limitMs);
      return limitMs;
    });
    expect(limitMs).toBe(600_000);
    expect(await runDurableObjectAlarm(stub)).toBe(true);

    const events = await followEvents(user, execution.id);
    expect(events.at(-1)).toMatchObject({ type: "execution.timed_out", data: { limitMs: 600_000 } });
    const failed = events.find((item) => item.type === "prompt.failed");
    expect(failed?.data).toMatchObject({ error: { code: "timed_out" } });
    const record = await getRecord(user, execution.id);
    expect(record.status).toBe("timed_out");
    expect(record.results.map((result) => [result.status, result.output])).toEqual([
      ["failed", "Slow start "],
      ["skipped", ""],
    ]);
    // The upstream notices the closed socket a moment later.
    await waitFor(async () => (await upstreamRequests(model))[0]?.clientClosedAt, 2_000, "upstream connection closed");
  });

  it("keeps a running execution alive with a heartbeat alarm before the deadline", async () => {
    const user = newUser();
    const model = await scriptModel({ kind: "stream", chunks: ["a", "b"], hangAfter: 1 });
    const tool = await createToolFor(user, lessonPlanner(model));
    const execution = await startExecution(user, tool.id, { topic: "x" });
    const stub = sessionStub(execution.id);
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    const alarm = await runInDurableObject(stub, async (_instance: ExecutionSession, state) =>
      state.storage.getAlarm(),
    );
    expect(alarm).not.toBeNull();
    expect((await stub.status()).status).toBe("running");
    await stub.cancel(user);
  });
});

describe("the prompt idle timeout (PROMPT_IDLE_TIMEOUT_MS)", () => {
  it("fails a prompt whose model goes silent, keeping what it said", async () => {
    const user = newUser();
    const model = await scriptModel({ kind: "stream", chunks: ["Said ", "this ", "and then silence"], hangAfter: 2 });
    const tool = await createToolFor(user, lessonPlanner(model));
    const execution = await startExecution(user, tool.id, { topic: "idle" });
    const events = await followEvents(user, execution.id);
    const failed = events.find((item) => item.type === "prompt.failed");
    expect(failed?.data).toMatchObject({
      error: { code: "model_timeout", message: "No token from the model for 1500 ms" },
    });
    expect(events.at(-1)).toMatchObject({ type: "execution.failed", data: { error: { code: "prompt_failed" } } });
    const record = await getRecord(user, execution.id);
    expect(record.results[0]).toMatchObject({
      status: "failed",
      output: "Said this ",
      error: { code: "model_timeout" },
    });
    expect(record.results[1]?.status).toBe("skipped");
  });

  it("does not fire while tokens keep arriving, however long the prompt takes overall", async () => {
    const user = newUser();
    // 20 chunks 100 ms apart: 2 s in all, longer than the 1.5 s idle timeout.
    const model = await scriptModel(streamOf("x".repeat(20), 1, { chunkDelayMs: 100 }));
    const tool = await createToolFor(
      user,
      lessonPlanner(model, { prompts: [{ name: "only", position: 0, model, content: "{{topic}}" }] }),
    );
    const execution = await startExecution(user, tool.id, { topic: "steady" });
    const events = await followEvents(user, execution.id);
    expect(events.at(-1)?.type).toBe("execution.completed");
  });
});
