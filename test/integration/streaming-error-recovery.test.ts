import { describe, expect, it } from "vitest";
import { newUser } from "../helpers/auth";
import { createToolFor, followEvents, getRecord, startExecution } from "../helpers/executions";
import { lessonPlanner } from "../helpers/tools";
import { scriptModel, streamOf, upstreamRequests } from "../helpers/upstream";

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

  it("restarts the prompt when the connection drops mid-stream; out of attempts it fails, keeping the last attempt's text", async () => {
    const model = await scriptModel({ kind: "stream", chunks: ["Half ", "an ", "answer"], dropAfter: 2 });
    const { events, record } = await runOne(model);
    expect((await upstreamRequests(model)).length).toBe(3);
    expect(events.filter((item) => item.type === "prompt.restarted").map((item) => item.data)).toMatchObject([
      { attempt: 2, reason: { code: "model_unavailable" } },
      { attempt: 3, reason: { code: "model_unavailable" } },
    ]);
    expect(events.find((item) => item.type === "prompt.failed")?.data).toMatchObject({
      error: { code: "model_unavailable" },
    });
    expect(record.results[0]).toMatchObject({ status: "failed", output: "Half an ", attempts: 3 });
  });

  it("treats a stream that ends without finish_reason as cut, not complete", async () => {
    const model = await scriptModel({ kind: "stream", chunks: ["Looks ", "fine ", "but"], endAfter: 2 });
    const { record } = await runOne(model);
    expect(record.results[0]).toMatchObject({
      status: "failed",
      output: "Looks fine ",
      error: { code: "model_unavailable" },
      attempts: 3,
    });
    expect((await upstreamRequests(model)).length).toBe(3);
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
