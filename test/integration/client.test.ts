import { exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import {
  ApiError,
  createClient,
  type ExecutionState,
  foldEvent,
  type StoredEvent,
  StreamError,
} from "../../src/client";
import { newUser, tokenFor } from "../helpers/auth";
import { lessonPlanner } from "../helpers/tools";
import { scriptModel, streamOf } from "../helpers/upstream";

const workerFetch: typeof fetch = (input, init) => exports.default.fetch(new Request(input, init));

/** A transport that cuts every event stream after `bytes`, as a flaky network would. */
function cuttingFetch(bytes: number): typeof fetch {
  return async (input, init) => {
    const response = await workerFetch(input, init);
    if (!response.body || !response.headers.get("Content-Type")?.includes("event-stream")) return response;
    let sent = 0;
    const reader = response.body.getReader();
    const body = new ReadableStream<Uint8Array>({
      async pull(controller) {
        const { value, done } = await reader.read();
        if (done || sent >= bytes) {
          await reader.cancel();
          controller.error(new TypeError("network connection lost"));
          return;
        }
        sent += value.byteLength;
        controller.enqueue(value);
      },
    });
    return new Response(body, { status: response.status, headers: response.headers });
  };
}

async function clientFor(user: string, fetchImpl: typeof fetch = workerFetch) {
  const token = await tokenFor(user);
  return createClient({ baseUrl: "http://localhost", token, fetch: fetchImpl });
}

async function collect(
  events: AsyncIterable<StoredEvent>,
): Promise<{ events: StoredEvent[]; state: ExecutionState | null }> {
  const seen: StoredEvent[] = [];
  let state: ExecutionState | null = null;
  for await (const event of events) {
    seen.push(event);
    state = foldEvent(state, event);
  }
  return { events: seen, state };
}

describe("the typed client", () => {
  it("manages tools and answers errors as ApiError with the code", async () => {
    const client = await clientFor(newUser());
    const tool = await client.tools.create(lessonPlanner("m"));
    expect((await client.tools.get(tool.id)).name).toBe("Lesson planner");
    expect((await client.tools.list("mine")).map((item) => item.id)).toEqual([tool.id]);
    await client.tools.update(tool.id, { ...lessonPlanner("m"), name: "Renamed" });
    await client.tools.delete(tool.id);
    const error = await client.tools.get(tool.id).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ status: 404, code: "not_found" });
  });

  it("runs an execution and folds its events into each prompt's final text and status", async () => {
    const user = newUser();
    const client = await clientFor(user);
    const model = await scriptModel(streamOf("client output", 2));
    const tool = await client.tools.create(lessonPlanner(model));
    const created = await client.executions.create({ toolId: tool.id, inputs: { topic: "t" } });
    const { state } = await collect(client.executions.stream(created.id));
    expect(state?.status).toBe("completed");
    expect(state?.prompts.map((prompt) => [prompt.name, prompt.status, prompt.output])).toEqual([
      ["outline", "completed", "client output"],
      ["lesson", "completed", "client output"],
    ]);
    expect((await client.executions.get(created.id)).status).toBe("completed");
    expect((await client.executions.list({ toolId: tool.id })).executions.map((item) => item.id)).toEqual([created.id]);
  });

  it("reruns an execution from a step and folds the reused prompt with its output", async () => {
    const user = newUser();
    const client = await clientFor(user);
    const tool = await client.tools.create(lessonPlanner(await scriptModel(streamOf("same each time", 3))));
    const created = await client.executions.create({ toolId: tool.id, inputs: { topic: "t" } });
    await collect(client.executions.stream(created.id));
    const lesson = tool.prompts.find((prompt) => prompt.name === "lesson")?.id ?? "";
    const again = await client.executions.rerun(created.id, { fromPromptId: lesson });
    const { state } = await collect(client.executions.stream(again.id));
    expect(state?.prompts.map((prompt) => [prompt.name, prompt.status, prompt.reused, prompt.output])).toEqual([
      ["outline", "completed", true, "same each time"],
      ["lesson", "completed", false, "same each time"],
    ]);
    expect((await client.executions.get(again.id)).sourceExecutionId).toBe(created.id);
    expect((await client.executions.list({ sourceExecutionId: created.id })).executions.map((item) => item.id)).toEqual(
      [again.id],
    );
  });

  it("reconnects by itself with Last-Event-ID when the connection drops, and loses or repeats nothing", async () => {
    const user = newUser();
    const model = await scriptModel(streamOf("a".repeat(300), 3, { chunkDelayMs: 2 }));
    const setup = await clientFor(user);
    const tool = await setup.tools.create(lessonPlanner(model));
    const created = await setup.executions.create({ toolId: tool.id, inputs: { topic: "t" } });
    const flaky = await clientFor(user, cuttingFetch(400));
    const { events, state } = await collect(flaky.executions.stream(created.id, { retryDelayMs: 1 }));
    const ids = events.map((event) => event.id);
    expect(ids).toEqual([...new Set(ids)].sort((a, b) => a - b));
    expect(state?.prompts.map((prompt) => prompt.output)).toEqual(["a".repeat(300), "a".repeat(300)]);
  });

  it("retries a stream answered 503 or 429 and then follows it", async () => {
    const user = newUser();
    const setup = await clientFor(user);
    const tool = await setup.tools.create(lessonPlanner(await scriptModel(streamOf("after retries"))));
    const created = await setup.executions.create(
      { toolId: tool.id, inputs: { topic: "t" } },
      { idempotencyKey: `k-${crypto.randomUUID()}` },
    );
    const statuses = [503, 429];
    const refusingTwice: typeof fetch = async (input, init) => {
      const status = statuses.shift();
      return status
        ? new Response(JSON.stringify({ error: { code: "internal", message: "busy" } }), { status })
        : workerFetch(input, init);
    };
    const { state } = await collect(
      (await clientFor(user, refusingTwice)).executions.stream(created.id, { retryDelayMs: 1 }),
    );
    expect(state?.prompts[0]?.output).toBe("after retries");
    expect((await setup.executions.list({ toolId: tool.id, status: "completed", limit: 5 })).executions).toHaveLength(
      1,
    );
    expect((await setup.executions.cancel(created.id)).status).toBe("completed");
  });

  it("takes a token function, called for each request", async () => {
    const user = newUser();
    let calls = 0;
    const client = createClient({
      baseUrl: "http://localhost/",
      token: async () => {
        calls++;
        return tokenFor(user);
      },
      fetch: workerFetch,
    });
    await client.tools.list();
    await client.tools.list("shared");
    expect(calls).toBe(2);
  });

  it("gives up with a StreamError after the reconnect bound", async () => {
    const client = createClient({
      baseUrl: "http://localhost",
      token: "x",
      fetch: async () => Promise.reject(new TypeError("offline")),
    });
    await expect(collect(client.executions.stream("any", { maxRetries: 2, retryDelayMs: 1 }))).rejects.toBeInstanceOf(
      StreamError,
    );
  });

  it("surfaces a refused stream (someone else's execution) as ApiError without retrying", async () => {
    const client = await clientFor(newUser());
    await expect(collect(client.executions.stream(crypto.randomUUID()))).rejects.toMatchObject({ code: "not_found" });
  });
  it("runs a draft (toolId null), searches runs with q and lists tools by last use", async () => {
    const client = await clientFor(newUser());
    const model = await scriptModel(streamOf("a glacier answer"));
    const older = await client.tools.create({ ...lessonPlanner(model), name: "Older" });
    await client.tools.create({ ...lessonPlanner(model), name: "Newer" });
    const { id } = await client.executions.create({
      draft: { ...lessonPlanner(model), name: "Draft" },
      inputs: { topic: "ice" },
    });
    const { state } = await collect(client.executions.stream(id));
    expect(state).toMatchObject({ toolId: null, toolName: "Draft", status: "completed" });
    const saved = await client.executions.create({ toolId: older.id, inputs: { topic: "sand" } });
    await collect(client.executions.stream(saved.id));
    const found = await client.executions.list({ q: "ICE" });
    expect(found.executions.map((item) => [item.id, item.toolId])).toEqual([[id, null]]);
    expect(found.executions[0]?.outputPreview).toBe("a glacier answer");
    expect((await client.tools.list("mine", { sort: "lastUsed" })).map((tool) => tool.name)).toEqual([
      "Older",
      "Newer",
    ]);
    expect((await client.tools.list("mine")).map((tool) => tool.name)).toEqual(["Newer", "Older"]);
  });
});

describe("foldEvent", () => {
  it("marks what a cancel left unfinished as canceled or skipped", () => {
    const events = [
      {
        id: 1,
        type: "execution.started",
        data: {
          executionId: "e",
          toolId: "t",
          toolName: "T",
          prompts: [
            { id: "a", name: "a", position: 0 },
            { id: "b", name: "b", position: 1 },
          ],
        },
      },
      { id: 2, type: "prompt.started", data: { promptId: "a", name: "a", position: 0, model: "m" } },
      { id: 3, type: "prompt.delta", data: { promptId: "a", delta: "par" } },
      { id: 4, type: "execution.canceled", data: {} },
    ] as StoredEvent[];
    const state = events.reduce<ExecutionState | null>(foldEvent, null);
    expect(state).toMatchObject({ status: "canceled", lastEventId: 4 });
    expect(state?.prompts.map((prompt) => [prompt.status, prompt.output])).toEqual([
      ["canceled", "par"],
      ["skipped", ""],
    ]);
  });

  it("follows a restart: the prompt's text is cleared, its attempt counted, and the reason kept while it runs", () => {
    const events = [
      {
        id: 1,
        type: "execution.started",
        data: { executionId: "e", toolId: "t", toolName: "T", prompts: [{ id: "a", name: "a", position: 0 }] },
      },
      { id: 2, type: "prompt.started", data: { promptId: "a", name: "a", position: 0, model: "m" } },
      { id: 3, type: "prompt.delta", data: { promptId: "a", delta: "discarded " } },
      {
        id: 1025,
        type: "prompt.restarted",
        data: { promptId: "a", attempt: 2, reason: { code: "interrupted", message: "restarted" } },
      },
      { id: 1026, type: "prompt.delta", data: { promptId: "a", delta: "kept" } },
    ] as StoredEvent[];
    const running = events.reduce<ExecutionState | null>(foldEvent, null);
    expect(running?.prompts[0]).toMatchObject({
      status: "running",
      output: "kept",
      attempt: 2,
      restartedBecause: { code: "interrupted" },
    });
    const done = foldEvent(running, {
      id: 1027,
      type: "prompt.completed",
      data: { promptId: "a", output: "kept", durationMs: 5, usage: null, costMicros: null },
    });
    expect(done?.prompts[0]).toMatchObject({ status: "completed", output: "kept", attempt: 2 });
  });
});
