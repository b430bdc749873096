import { describe, expect, it } from "vitest";
import { fn, serverCalls } from "../helpers/agent";
import { api, apiJson, type ErrorJson } from "../helpers/api";
import { newUser } from "../helpers/auth";
import { createToolFor, getRecord } from "../helpers/executions";
import { readSse } from "../helpers/sse";
import { lessonPlanner } from "../helpers/tools";
import { scriptModel, streamOf, toolCallsOf, upstreamRequests } from "../helpers/upstream";

interface Frame {
  type: string;
  [key: string]: unknown;
}

async function legacyStream(user: string, body: unknown, headers: Record<string, string> = {}) {
  const response = await api("/api/assistant-architect/stream", { user, body, headers });
  return { response, read: response.status === 200 ? await readSse(response) : null };
}

const framesOf = (read: Awaited<ReturnType<typeof readSse>> | null): Frame[] =>
  (read?.messages ?? []).map((message) => JSON.parse(message.data) as Frame);

describe("POST /api/assistant-architect/stream (the original endpoint)", () => {
  it("streams the original unnamed frames, each with an id, and the X-Execution-Id header", async () => {
    const user = newUser();
    const outline = await scriptModel(streamOf("O1 O2", 2));
    const lesson = await scriptModel(streamOf("L1", 1));
    const body = lessonPlanner(outline);
    body.prompts[1] = { ...body.prompts[1]!, model: lesson };
    const tool = await createToolFor(user, body);
    const { response, read } = await legacyStream(user, { toolId: tool.id, inputs: { topic: "t" } });
    expect(response.status).toBe(200);
    expect(response.headers.get("Content-Type")).toContain("text/event-stream");
    const executionId = response.headers.get("X-Execution-Id");
    expect(executionId).toMatch(/^[0-9a-f-]{36}$/);
    expect(read?.messages.every((message) => message.event === undefined && /^\d+$/.test(message.id ?? ""))).toBe(true);

    const frames = framesOf(read);
    expect(frames[0]).toEqual({ type: "metadata", totalPrompts: 2, toolName: "Lesson planner" });
    expect(frames[1]).toEqual({
      type: "prompt_start",
      promptIndex: 0,
      promptId: tool.prompts[0]!.id,
      modelName: outline,
    });
    const tokens = frames
      .filter((frame) => frame.type === "token" && frame.promptIndex === 0)
      .map((frame) => frame.token)
      .join("");
    expect(tokens).toBe("O1 O2");
    expect(frames.find((frame) => frame.type === "prompt_complete" && frame.promptIndex === 1)).toEqual({
      type: "prompt_complete",
      promptIndex: 1,
      result: "L1",
    });
    expect(frames.at(-1)).toEqual({ type: "complete", executionId });
    expect((await getRecord(user, executionId!)).status).toBe("completed");
  });

  it("ends with prompt_error then an error frame when a prompt fails", async () => {
    const user = newUser();
    const tool = await createToolFor(
      user,
      lessonPlanner(await scriptModel({ kind: "error", status: 400, message: "no such model" })),
    );
    const { read } = await legacyStream(user, { toolId: tool.id, inputs: { topic: "t" } });
    const frames = framesOf(read);
    expect(frames.find((frame) => frame.type === "prompt_error")).toMatchObject({
      promptIndex: 0,
      error: expect.stringContaining("no such model"),
    });
    expect(frames.at(-1)).toMatchObject({ type: "error", error: expect.stringContaining('Prompt "outline" failed') });
  });

  it("runs a pending execution created earlier, and a retry attaches to the same run", async () => {
    const user = newUser();
    const model = await scriptModel(streamOf("pending run"));
    const tool = await createToolFor(
      user,
      lessonPlanner(model, { prompts: [{ name: "p", position: 0, model, content: "{{topic}}" }] }),
    );
    const created = await apiJson<{ id: string; status: string }>("/api/executions", {
      user,
      body: { toolId: tool.id, inputs: { topic: "t" }, start: false },
    });
    expect(created.body.status).toBe("pending");
    const first = await legacyStream(user, { toolId: tool.id, executionId: created.body.id });
    expect(first.response.headers.get("X-Execution-Id")).toBe(created.body.id);
    expect(framesOf(first.read).at(-1)).toEqual({ type: "complete", executionId: created.body.id });

    const lastId = first.read?.messages.at(-3)?.id ?? "0";
    const retry = await legacyStream(
      user,
      { toolId: tool.id, executionId: created.body.id },
      { "Last-Event-ID": lastId },
    );
    expect(framesOf(retry.read).map((frame) => frame.type)).toEqual(["prompt_complete", "complete"]);
    expect(await upstreamRequests(model)).toHaveLength(1);
  });

  it("shows an agent step as its text only: its tool calls run, and no frame the original app does not know", async () => {
    const user = newUser();
    const model = await scriptModel(
      toolCallsOf([{ id: "m1", name: fn("lookup"), arguments: '{"topic":"volcanoes","grade":4}' }], {
        text: "Let me look. ",
      }),
      streamOf("Magma rises."),
    );
    const tool = await createToolFor(
      user,
      lessonPlanner(model, {
        prompts: [{ name: "agent", position: 0, model, content: "Plan {{topic}}", tools: ["tools.lookup"] }],
      }),
    );
    const before = await serverCalls("lookup");
    const { read } = await legacyStream(user, { toolId: tool.id, inputs: { topic: "volcanoes" } });
    const frames = framesOf(read);
    expect(new Set(frames.map((frame) => frame.type))).toEqual(
      new Set(["metadata", "prompt_start", "token", "prompt_complete", "complete"]),
    );
    const tokens = frames.filter((frame) => frame.type === "token").map((frame) => frame.token);
    expect(tokens.join("")).toBe("Let me look. Magma rises.");
    expect(frames.find((frame) => frame.type === "prompt_complete")).toMatchObject({
      result: "Let me look. Magma rises.",
    });
    expect(await serverCalls("lookup")).toBe(before + 1);
    expect(await upstreamRequests(model)).toHaveLength(2);
  });

  it("rejects a body with neither inputs nor executionId, and unknown ids", async () => {
    const user = newUser();
    const tool = await createToolFor(user, lessonPlanner(await scriptModel(streamOf("x"))));
    expect((await legacyStream(user, { toolId: tool.id })).response.status).toBe(400);
    expect((await legacyStream(user, { toolId: tool.id, inputs: {}, executionId: "x" })).response.status).toBe(404);
    const missing = await apiJson<ErrorJson>("/api/assistant-architect/stream", {
      user,
      body: { toolId: tool.id, executionId: crypto.randomUUID() },
    });
    expect(missing.status).toBe(404);
    expect((await legacyStream(user, { toolId: crypto.randomUUID(), inputs: { topic: "t" } })).response.status).toBe(
      404,
    );
  });

  it("needs a Bearer token", async () => {
    expect((await api("/api/assistant-architect/stream", { body: { toolId: "x", inputs: {} } })).status).toBe(401);
  });
});
