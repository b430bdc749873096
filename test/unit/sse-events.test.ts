import { describe, expect, it } from "vitest";
import { encodeLegacyEvent } from "../../src/events/legacy";
import { encodeEvent } from "../../src/events/sse";
import { event, isTerminal, type StoredEvent } from "../../src/events/types";

const context = {
  executionId: "exec-1",
  toolName: "Planner",
  promptIds: ["p0", "p1"],
  promptModels: ["m0", "m1"],
  canceledPromptIds: () => [],
};
const stored = (id: number, item: ReturnType<typeof event>): StoredEvent => ({ id, ...item }) as StoredEvent;

describe("encodeEvent", () => {
  it("writes id, event name and one line of JSON data", () => {
    const text = encodeEvent(
      stored(7, event("prompt.delta", { promptId: "p0", delta: "line one\nline two\r\ndata: x" })),
    );
    expect(text).toBe(
      'id: 7\nevent: prompt.delta\ndata: {"promptId":"p0","delta":"line one\\nline two\\r\\ndata: x"}\n\n',
    );
  });
});

describe("encodeLegacyEvent (the original frames)", () => {
  const frame = (item: ReturnType<typeof event>) => {
    const text = encodeLegacyEvent(stored(3, item), context);
    expect(text.startsWith("id: 3\ndata: ")).toBe(true);
    expect(text).not.toContain("event:");
    return JSON.parse(text.slice("id: 3\ndata: ".length)) as unknown;
  };

  it("turns a restart into a fresh prompt_start for that prompt, naming its model", () => {
    expect(
      frame(event("prompt.restarted", { promptId: "p1", attempt: 2, reason: { code: "interrupted", message: "x" } })),
    ).toEqual({ type: "prompt_start", promptIndex: 1, promptId: "p1", modelName: "m1" });
  });

  it("maps every event to its original frame", () => {
    expect(
      frame(
        event("execution.started", {
          executionId: "exec-1",
          toolId: "t",
          toolName: "Planner",
          prompts: [
            { id: "p0", name: "a", position: 0 },
            { id: "p1", name: "b", position: 1 },
          ],
        }),
      ),
    ).toEqual({
      type: "metadata",
      totalPrompts: 2,
      toolName: "Planner",
    });
    expect(frame(event("prompt.started", { promptId: "p1", name: "b", position: 1, model: "gpt" }))).toEqual({
      type: "prompt_start",
      promptIndex: 1,
      promptId: "p1",
      modelName: "gpt",
    });
    expect(frame(event("prompt.delta", { promptId: "p0", delta: "hi" }))).toEqual({
      type: "token",
      promptIndex: 0,
      token: "hi",
    });
    expect(
      frame(event("prompt.completed", { promptId: "p0", output: "hi", durationMs: 5, usage: null, costMicros: null })),
    ).toEqual({
      type: "prompt_complete",
      promptIndex: 0,
      result: "hi",
    });
    expect(frame(event("prompt.failed", { promptId: "p1", error: { code: "model_error", message: "boom" } }))).toEqual({
      type: "prompt_error",
      promptIndex: 1,
      error: "boom",
    });
    expect(
      frame(event("execution.completed", { durationMs: 9, usage: { inputTokens: 1, outputTokens: 2 }, costMicros: 0 })),
    ).toEqual({
      type: "complete",
      executionId: "exec-1",
    });
    expect(frame(event("execution.failed", { error: { code: "prompt_failed", message: "bad" } }))).toEqual({
      type: "error",
      error: "bad",
      code: "prompt_failed",
    });
    expect(frame(event("execution.canceled", {}))).toEqual({
      type: "error",
      error: "Execution canceled",
      code: "canceled",
    });
    expect(frame(event("execution.timed_out", { limitMs: 600000 }))).toEqual({
      type: "error",
      error: "Execution timed out after 600000 ms",
      code: "timed_out",
    });
  });
});

describe("isTerminal", () => {
  it("is true for exactly the four execution endings", () => {
    expect(
      isTerminal(
        event("execution.completed", { durationMs: 1, usage: { inputTokens: 0, outputTokens: 0 }, costMicros: 0 }),
      ),
    ).toBe(true);
    expect(isTerminal(event("execution.failed", { error: { code: "x", message: "y" } }))).toBe(true);
    expect(isTerminal(event("execution.canceled", {}))).toBe(true);
    expect(isTerminal(event("execution.timed_out", { limitMs: 1 }))).toBe(true);
    expect(isTerminal(event("prompt.failed", { promptId: "p", error: { code: "x", message: "y" } }))).toBe(false);
    expect(isTerminal(event("execution.started", { executionId: "e", toolId: "t", toolName: "T", prompts: [] }))).toBe(
      false,
    );
  });
});
