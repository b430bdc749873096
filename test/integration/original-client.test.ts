// The original app's browser client, as it behaved in mid-2025, against the original endpoint: it
// posts {toolId, executionId, inputs} for an execution it created pending, sends a multi_select as
// one string, and marks a prompt failed only on a `prompt_error` frame (else it stays "running").
import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import type { EventSourceMessage } from "eventsource-parser";
import { describe, expect, it } from "vitest";
import type { ExecutionSession } from "../../src/durable/execution-session";
import { CANCELED_PROMPT_MESSAGE } from "../../src/events/legacy";
import { api, apiJson, type ErrorJson } from "../helpers/api";
import { newUser } from "../helpers/auth";
import { createToolFor, getRecord } from "../helpers/executions";
import { advanceClock, sessionStub, stateOf } from "../helpers/session";
import { tapSse } from "../helpers/sse";
import { lessonPlanner, type TestToolBody } from "../helpers/tools";
import { scriptModel, streamOf, upstreamRequests } from "../helpers/upstream";

interface Frame {
  type: string;
  promptIndex?: number;
  [key: string]: unknown;
}

const frames = (messages: readonly EventSourceMessage[]): Frame[] =>
  messages.map((message) => JSON.parse(message.data) as Frame);

/** What the original client shows per prompt index after reading `frames`. */
function originalClientView(all: readonly Frame[]): Map<number, string> {
  const view = new Map<number, string>();
  for (const frame of all) {
    if (frame.promptIndex === undefined) continue;
    if (frame.type === "prompt_start") view.set(frame.promptIndex, "running");
    if (frame.type === "prompt_complete") view.set(frame.promptIndex, "completed");
    if (frame.type === "prompt_error") view.set(frame.promptIndex, "failed");
  }
  return view;
}

const parallelTool = (first: string, second: string, later: string): TestToolBody => ({
  name: "Parallel",
  inputFields: [{ name: "topic", label: "Topic", type: "text", required: true }],
  prompts: [
    { name: "left", position: 0, model: first, content: "Left {{topic}}" },
    { name: "right", position: 0, model: second, content: "Right {{topic}}" },
    { name: "after", position: 1, model: later, content: "After {{left}} {{right}}" },
  ],
});

const legacyPost = (user: string, body: unknown) => api("/api/assistant-architect/stream", { user, body });
const tokensOf = (all: readonly Frame[], index: number) =>
  all.filter((frame) => frame.type === "token" && frame.promptIndex === index).length;

describe("the original client's requests", () => {
  it("starts its pending execution when it sends executionId with the same inputs", async () => {
    const user = newUser();
    const model = await scriptModel(streamOf("ran once"));
    const tool = await createToolFor(
      user,
      lessonPlanner(model, { prompts: [{ name: "p", position: 0, model, content: "{{topic}} {{grade}}" }] }),
    );
    const inputs = { topic: "tides", grade: "2" };
    const created = await apiJson<{ id: string }>("/api/executions", {
      user,
      body: { toolId: tool.id, inputs, start: false },
    });
    const response = await legacyPost(user, { toolId: tool.id, executionId: created.body.id, inputs });
    expect(response.status).toBe(200);
    expect(response.headers.get("X-Execution-Id")).toBe(created.body.id);
    const read = await tapSse(response).ended;
    expect(frames(read.messages).at(-1)).toEqual({ type: "complete", executionId: created.body.id });
    expect((await upstreamRequests(model)).map((request) => request.body.messages.at(-1)?.content)).toEqual([
      "tides 2",
    ]);
  });

  it("refuses inputs that differ from the pending execution's with a 400 naming each field, and runs nothing", async () => {
    const user = newUser();
    const model = await scriptModel(streamOf("never"));
    const tool = await createToolFor(user, lessonPlanner(model));
    const created = await apiJson<{ id: string }>("/api/executions", {
      user,
      body: { toolId: tool.id, inputs: { topic: "tides", grade: "1" }, start: false },
    });
    const refused = await apiJson<ErrorJson>("/api/assistant-architect/stream", {
      user,
      body: { toolId: tool.id, executionId: created.body.id, inputs: { topic: "waves", grade: "1" } },
    });
    expect(refused.status).toBe(400);
    expect(refused.body.error.code).toBe("validation_failed");
    expect(refused.body.error.details?.fields).toEqual([
      { path: "inputs.topic", message: "Topic differs from the value this execution was created with" },
    ]);
    expect(await upstreamRequests(model)).toHaveLength(0);
    expect((await getRecord(user, created.body.id)).status).toBe("pending");
  });

  it("accepts a multi_select sent as one string, checks it against the options, and substitutes it", async () => {
    const user = newUser();
    const model = await scriptModel(streamOf("ok"));
    const tool = await createToolFor(user, {
      name: "Subjects",
      inputFields: [
        { name: "subjects", label: "Subjects", type: "multi_select", options: ["math", "art"], required: true },
      ],
      prompts: [{ name: "p", position: 0, model, content: "Plan {{subjects}}." }],
    });
    const response = await legacyPost(user, { toolId: tool.id, inputs: { subjects: "art" } });
    expect(response.status).toBe(200);
    await tapSse(response).ended;
    const bad = await apiJson<ErrorJson>("/api/executions", {
      user,
      body: { toolId: tool.id, inputs: { subjects: "music" } },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details?.fields?.[0]).toEqual({
      path: "inputs.subjects",
      message: "Subjects must be a list of: math, art",
    });
    const list = await apiJson<{ id: string }>("/api/executions", {
      user,
      body: { toolId: tool.id, inputs: { subjects: ["math", "art"] } },
    });
    expect(list.status).toBe(201);
    // A pending execution created with a list agrees with the same option sent as a string.
    const pending = await apiJson<{ id: string }>("/api/executions", {
      user,
      body: { toolId: tool.id, inputs: { subjects: ["art"] }, start: false },
    });
    const same = await legacyPost(user, { toolId: tool.id, executionId: pending.body.id, inputs: { subjects: "art" } });
    expect(same.status).toBe(200);
    await tapSse(same).ended;
    expect((await upstreamRequests(model)).map((request) => request.body.messages.at(-1)?.content)).toEqual([
      "Plan art.",
      "Plan math, art.",
      "Plan art.",
    ]);
  });
});

describe("the original client never leaves a prompt running after the end", () => {
  it("cancel: each running prompt gets a prompt_error before the final error frame; the later one gets none", async () => {
    const user = newUser();
    const hanging = () => scriptModel({ kind: "stream", chunks: ["partial ", "never"], hangAfter: 1 });
    const tool = await createToolFor(
      user,
      parallelTool(await hanging(), await hanging(), await scriptModel(streamOf("x"))),
    );
    const response = await legacyPost(user, { toolId: tool.id, inputs: { topic: "t" } });
    const tap = tapSse(response);
    await tap.until((messages) => tokensOf(frames(messages), 0) > 0 && tokensOf(frames(messages), 1) > 0);
    const executionId = response.headers.get("X-Execution-Id") ?? "";
    expect((await api(`/api/executions/${executionId}/cancel`, { user, method: "POST" })).status).toBe(200);
    const all = frames((await tap.ended).messages);
    const ending = all.slice(-3);
    expect(ending.slice(0, 2).sort((a, b) => (a.promptIndex ?? 0) - (b.promptIndex ?? 0))).toEqual([
      { type: "prompt_error", promptIndex: 0, error: CANCELED_PROMPT_MESSAGE },
      { type: "prompt_error", promptIndex: 1, error: CANCELED_PROMPT_MESSAGE },
    ]);
    expect(ending[2]).toMatchObject({ type: "error", code: "canceled" });
    expect([...originalClientView(all)]).toEqual([
      [0, "failed"],
      [1, "failed"],
    ]);
  });

  it("a client resuming after a cancel gets the prompt_error frames again with the final frame", async () => {
    const user = newUser();
    const tool = await createToolFor(
      user,
      lessonPlanner(await scriptModel({ kind: "stream", chunks: ["a ", "b"], hangAfter: 1 })),
    );
    const response = await legacyPost(user, { toolId: tool.id, inputs: { topic: "t" } });
    const tap = tapSse(response);
    await tap.until((messages) => tokensOf(frames(messages), 0) > 0);
    const executionId = response.headers.get("X-Execution-Id") ?? "";
    await api(`/api/executions/${executionId}/cancel`, { user, method: "POST" });
    const read = await tap.ended;
    const beforeEnd = read.messages.filter((message) => message.id).at(-2)?.id ?? "0";
    const resumed = await api("/api/assistant-architect/stream", {
      user,
      body: { toolId: tool.id, executionId },
      headers: { "Last-Event-ID": beforeEnd },
    });
    const again = frames((await tapSse(resumed).ended).messages);
    expect(again.map((frame) => frame.type)).toEqual(["prompt_error", "error"]);
  });

  it("timeout: the running prompt gets a prompt_error before the final error frame", async () => {
    const user = newUser();
    const tool = await createToolFor(
      user,
      lessonPlanner(await scriptModel({ kind: "stream", chunks: ["slow ", "never"], hangAfter: 1 })),
    );
    const response = await legacyPost(user, { toolId: tool.id, inputs: { topic: "t" } });
    const tap = tapSse(response);
    await tap.until((messages) => tokensOf(frames(messages), 0) > 0);
    const stub = sessionStub(response.headers.get("X-Execution-Id") ?? "");
    await runInDurableObject(stub, (instance: ExecutionSession) => {
      advanceClock(instance, stateOf(instance).limitMs);
    });
    await runDurableObjectAlarm(stub);
    const all = frames((await tap.ended).messages);
    expect(all.slice(-2)).toEqual([
      { type: "prompt_error", promptIndex: 0, error: "The execution exceeded its 600000 ms limit" },
      { type: "error", error: "Execution timed out after 600000 ms", code: "timed_out" },
    ]);
    expect([...originalClientView(all)]).toEqual([[0, "failed"]]);
  });

  it("a chain stopped by a failed prompt: the failure is a prompt_error, its parallel twin completes, nothing stays running", async () => {
    const user = newUser();
    const tool = await createToolFor(
      user,
      parallelTool(
        await scriptModel({ kind: "error", status: 400, message: "refused" }),
        await scriptModel(streamOf("fine", 2)),
        await scriptModel(streamOf("x")),
      ),
    );
    const all = frames(
      (await tapSse(await legacyPost(user, { toolId: tool.id, inputs: { topic: "t" } })).ended).messages,
    );
    expect([...originalClientView(all)].sort()).toEqual([
      [0, "failed"],
      [1, "completed"],
    ]);
    expect(all.at(-1)).toMatchObject({ type: "error", code: "prompt_failed" });
  });
});
