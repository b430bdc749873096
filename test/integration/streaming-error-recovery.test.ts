import { abortAllDurableObjects, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { newUser } from "../helpers/auth";
import { createToolFor, followEvents, getRecord, startExecution } from "../helpers/executions";
import { sessionStub } from "../helpers/session";
import { outputsOf } from "../helpers/sse";
import { lessonPlanner } from "../helpers/tools";
import { scriptModel, streamOf, upstreamRequests, waitFor } from "../helpers/upstream";

/** The delta text the object has written to its storage so far. */
function storedDeltaText(executionId: string): Promise<string> {
  return runInDurableObject(sessionStub(executionId), (_instance, state) =>
    state.storage.sql
      .exec<{ body: string }>("SELECT body FROM event_log ORDER BY last_id")
      .toArray()
      .flatMap((row) => (JSON.parse(row.body) as { d?: [string, string][] }).d ?? [])
      .map(([, text]) => text)
      .join(""),
  );
}

async function runOne(model: string, overrides: Parameters<typeof lessonPlanner>[1] = {}) {
  const user = newUser();
  const tool = await createToolFor(user, lessonPlanner(model, overrides));
  const execution = await startExecution(user, tool.id, { topic: "errors" });
  const events = await followEvents(user, execution.id);
  return { user, tool, execution, events, record: await getRecord(user, execution.id) };
}

describe("upstream failures", () => {
  it("retries a 500 before the first token and then succeeds", async () => {
    const model = await scriptModel({ kind: "error", status: 500 }, streamOf("recovered"));
    const { events, record } = await runOne(model);
    expect(events.at(-1)?.type).toBe("execution.completed");
    expect(record.results[0]?.output).toBe("recovered");
    expect((await upstreamRequests(model)).length).toBe(3);
  });

  it("honours a 429 with Retry-After, then succeeds", async () => {
    const model = await scriptModel({ kind: "error", status: 429, retryAfter: 1 }, streamOf("after the wait"));
    const { events } = await runOne(model);
    expect(events.at(-1)?.type).toBe("execution.completed");
    const [first, second] = await upstreamRequests(model);
    expect((second?.receivedAt ?? 0) - (first?.receivedAt ?? 0)).toBeGreaterThanOrEqual(900);
  });

  it("fails the prompt after a few tries of 500, and (onPromptError: stop) fails the execution and skips the rest", async () => {
    const model = await scriptModel({ kind: "error", status: 503 });
    const { events, record } = await runOne(model);
    expect((await upstreamRequests(model)).length).toBe(4);
    expect(events.find((item) => item.type === "prompt.failed")?.data).toMatchObject({
      error: { code: "model_unavailable" },
    });
    expect(events.at(-1)).toMatchObject({ type: "execution.failed", data: { error: { code: "prompt_failed" } } });
    expect(record.status).toBe("failed");
    expect(record.error?.message).toContain('Prompt "outline" failed');
    expect(record.results.map((result) => result.status)).toEqual(["failed", "skipped"]);
  });

  it("does not retry a 400", async () => {
    const model = await scriptModel({ kind: "error", status: 400, message: "bad model" });
    const { record } = await runOne(model);
    expect((await upstreamRequests(model)).length).toBe(1);
    expect(record.results[0]?.error?.code).toBe("model_error");
  });

  it("fails the prompt, without retrying, when the connection drops mid-stream; partial output kept", async () => {
    const model = await scriptModel({ kind: "stream", chunks: ["Half ", "an ", "answer"], dropAfter: 2 });
    const { events, record } = await runOne(model);
    expect((await upstreamRequests(model)).length).toBe(1);
    expect(events.find((item) => item.type === "prompt.failed")?.data).toMatchObject({
      error: { code: "model_unavailable" },
    });
    expect(record.results[0]).toMatchObject({ status: "failed", output: "Half an " });
  });

  it("treats a stream that ends without finish_reason as cut, not complete", async () => {
    const model = await scriptModel({ kind: "stream", chunks: ["Looks ", "fine ", "but"], endAfter: 2 });
    const { record } = await runOne(model);
    expect(record.results[0]).toMatchObject({
      status: "failed",
      output: "Looks fine ",
      error: { code: "model_unavailable" },
    });
    expect((await upstreamRequests(model)).length).toBe(1);
  });

  it("fails the prompt on a malformed chunk", async () => {
    const model = await scriptModel({ kind: "stream", chunks: ["fine ", "then garbage"], malformedAfter: 1 });
    const { record } = await runOne(model);
    expect(record.results[0]).toMatchObject({ status: "failed", output: "fine " });
    expect(record.results[0]?.error?.code).toMatch(/^model_/);
  });
});

describe("onPromptError: continue", () => {
  it("runs the rest of the chain, substitutes the failed output as empty, and completes with the failure visible", async () => {
    const failing = await scriptModel({ kind: "error", status: 400 });
    const user = newUser();
    const body = lessonPlanner(failing, {
      onPromptError: "continue",
      prompts: [
        { name: "outline", position: 0, model: failing, content: "{{topic}}" },
        { name: "lesson", position: 1, model: "echo-continue", content: "[{{outline}}] [{{result_1}}] done" },
      ],
    });
    const tool = await createToolFor(user, body);
    const execution = await startExecution(user, tool.id, { topic: "x" });
    const events = await followEvents(user, execution.id);
    expect(events.at(-1)?.type).toBe("execution.completed");
    const record = await getRecord(user, execution.id);
    expect(record.status).toBe("completed");
    expect(record.results.map((result) => result.status)).toEqual(["failed", "completed"]);
    expect(record.results[1]?.output).toBe("echo: [] [] done");
  });
});

describe("onPromptError: continue after partial output", () => {
  it("substitutes a failed prompt's output as empty even when it streamed some text", async () => {
    const partial = await scriptModel({ kind: "stream", chunks: ["partial ", "text", "lost"], dropAfter: 2 });
    const user = newUser();
    const tool = await createToolFor(
      user,
      lessonPlanner(partial, {
        onPromptError: "continue",
        prompts: [
          { name: "outline", position: 0, model: partial, content: "{{topic}}" },
          { name: "lesson", position: 1, model: "echo-partial", content: "<{{outline}}>" },
        ],
      }),
    );
    const execution = await startExecution(user, tool.id, { topic: "x" });
    await followEvents(user, execution.id);
    const record = await getRecord(user, execution.id);
    expect(record.results.map((result) => [result.status, result.output])).toEqual([
      ["failed", "partial text"],
      ["completed", "echo: <>"],
    ]);
  });
});

describe("a run whose Durable Object restarts mid-run", () => {
  it("is finished as failed by the next request, with nothing left running", async () => {
    const user = newUser();
    const model = await scriptModel({ kind: "stream", chunks: ["Before ", "the ", "restart"], hangAfter: 2 });
    const tool = await createToolFor(user, lessonPlanner(model));
    const execution = await startExecution(user, tool.id, { topic: "evict" });
    await waitFor(async () => (await upstreamRequests(model))[0]?.chunksSent === 2, 5_000, "two chunks");
    // Wait until the batched deltas are in storage, then crash every object (storage survives).
    await waitFor(() => storedDeltaText(execution.id).then((text) => text === "Before the "), 5_000, "deltas stored");
    await abortAllDurableObjects();

    const events = await followEvents(user, execution.id);
    expect(events.at(-1)).toMatchObject({ type: "execution.failed", data: { error: { code: "interrupted" } } });
    expect(outputsOf(events).get(tool.prompts[0]!.id)).toBe("Before the ");
    const record = await getRecord(user, execution.id);
    expect(record.status).toBe("failed");
    expect(record.results.map((result) => [result.status, result.output])).toEqual([
      ["failed", "Before the "],
      ["skipped", ""],
    ]);
  });

  it("is finished by its alarm when nobody asks", async () => {
    const user = newUser();
    const model = await scriptModel({ kind: "stream", chunks: ["x", "never sent"], hangAfter: 1 });
    const tool = await createToolFor(user, lessonPlanner(model));
    const execution = await startExecution(user, tool.id, { topic: "evict" });
    await waitFor(async () => (await upstreamRequests(model))[0]?.chunksSent === 1, 5_000, "a chunk");
    await abortAllDurableObjects();
    const stub = sessionStub(execution.id);
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    const record = await getRecord(user, execution.id);
    expect(record.status).toBe("failed");
    expect(record.error?.code).toBe("interrupted");
    expect(record.results.every((result) => result.status !== "running" && result.status !== "pending")).toBe(true);
  });
});
