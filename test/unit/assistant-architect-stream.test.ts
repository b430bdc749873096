import { createParser } from "eventsource-parser";
import { describe, expect, it } from "vitest";
import type { ExecutionRow, PromptResultRow } from "../../src/db/schema";
import { replayFromRecords } from "../../src/events/replay";
import { streamBody } from "../../src/schemas/api";

const execution: ExecutionRow = {
  id: "exec-1",
  ownerId: "u",
  toolId: "tool-1",
  toolName: "Planner",
  status: "completed",
  inputs: {},
  error: null,
  idempotencyKey: null,
  requestFingerprint: null,
  durableObjectId: null,
  onPromptError: "stop",
  inputFields: [],
  sourceExecutionId: null,
  fromPromptId: null,
  costMicros: 0,
  toolBudgetMicros: null,
  budgetMicros: null,
  reservedMicros: 0,
  inR2: false,
  inputsPreview: null,
  createdAt: 0,
  startedAt: 10,
  completedAt: 50,
};

const result = (
  promptId: string,
  ordinal: number,
  output: string,
  status: PromptResultRow["status"] = "completed",
): PromptResultRow => ({
  executionId: "exec-1",
  promptId,
  name: promptId,
  position: ordinal - 1,
  ordinal,
  model: "gpt",
  status,
  output,
  error: status === "failed" ? { code: "model_error", message: "refused" } : null,
  startedAt: 10,
  completedAt: 20,
  durationMs: 10,
  inputTokens: 1,
  outputTokens: 2,
  attempts: 1,
  systemContext: null,
  content: "c",
  temperature: null,
  maxTokens: null,
  tools: null,
  maxSteps: null,
  requestHash: null,
  reused: false,
  costMicros: 1,
  estimatedCostMicros: null,
  overshootMicros: null,
  outputPreview: null,
});

function frames(text: string | null) {
  const out: { id?: string; event?: string; data: unknown }[] = [];
  const parser = createParser({
    onEvent: (message) => out.push({ id: message.id, event: message.event, data: JSON.parse(message.data) }),
  });
  parser.feed(text ?? "");
  return out;
}

describe("the original endpoint's request body", () => {
  it("takes toolId with inputs, executionId, or both", () => {
    expect(streamBody.safeParse({ toolId: "t", inputs: { a: 1 } }).success).toBe(true);
    expect(streamBody.safeParse({ toolId: "t", executionId: "e" }).success).toBe(true);
    expect(streamBody.safeParse({ toolId: "t" }).success).toBe(false);
    // The original client sends both: the inputs are then checked against the execution's.
    expect(streamBody.safeParse({ toolId: "t", inputs: {}, executionId: "e" }).success).toBe(true);
    expect(streamBody.safeParse({ toolId: "t", inputs: {}, extra: true }).success).toBe(false);
  });
});

describe("the original frame sequence", () => {
  it("is metadata, then per prompt prompt_start, token, prompt_complete, then complete, all unnamed with ids", () => {
    const sequence = frames(
      replayFromRecords(execution, [result("p1", 1, "one"), result("p2", 2, "two")], 0, "legacy"),
    );
    expect(sequence.every((frame) => frame.event === undefined && frame.id !== undefined)).toBe(true);
    expect(sequence.map((frame) => frame.data)).toEqual([
      { type: "metadata", totalPrompts: 2, toolName: "Planner" },
      { type: "prompt_start", promptIndex: 0, promptId: "p1", modelName: "gpt" },
      { type: "token", promptIndex: 0, token: "one" },
      { type: "prompt_complete", promptIndex: 0, result: "one" },
      { type: "prompt_start", promptIndex: 1, promptId: "p2", modelName: "gpt" },
      { type: "token", promptIndex: 1, token: "two" },
      { type: "prompt_complete", promptIndex: 1, result: "two" },
      { type: "complete", executionId: "exec-1" },
    ]);
  });

  it("ends a failed run with prompt_error and error, and a canceled one with error", () => {
    const failed = frames(
      replayFromRecords(
        { ...execution, status: "failed", error: { code: "prompt_failed", message: "Prompt p1 failed" } },
        [result("p1", 1, "", "failed"), result("p2", 2, "", "skipped")],
        0,
        "legacy",
      ),
    );
    expect(failed.map((frame) => (frame.data as { type: string }).type)).toEqual([
      "metadata",
      "prompt_start",
      "prompt_error",
      "error",
    ]);
    expect(failed.at(-1)?.data).toEqual({ type: "error", error: "Prompt p1 failed", code: "prompt_failed" });
    const canceled = frames(
      replayFromRecords({ ...execution, status: "canceled" }, [result("p1", 1, "", "skipped")], 0, "legacy"),
    );
    expect(canceled.at(-1)?.data).toEqual({ type: "error", error: "Execution canceled", code: "canceled" });
  });

  it("resumes after an id like the new format does", () => {
    const all = frames(replayFromRecords(execution, [result("p1", 1, "one")], 0, "legacy"));
    const tail = frames(replayFromRecords(execution, [result("p1", 1, "one")], 2, "legacy"));
    expect(tail).toEqual(all.slice(2));
    expect(replayFromRecords(execution, [result("p1", 1, "one")], all.length, "legacy")).toBeNull();
  });

  it("rebuilds the terminal event of timed-out and failed runs, with usage totals for completed ones", () => {
    const timedOut = frames(
      replayFromRecords({ ...execution, status: "timed_out" }, [result("p1", 1, "part", "failed")], 0, "events"),
    );
    expect(timedOut.at(-1)).toMatchObject({ event: "execution.timed_out", data: { limitMs: 40 } });
    const failed = frames(replayFromRecords({ ...execution, status: "failed", error: null }, [], 0, "events"));
    expect(failed.at(-1)).toMatchObject({ event: "execution.failed", data: { error: { code: "internal" } } });
    const completed = frames(replayFromRecords(execution, [result("p1", 1, "a"), result("p2", 2, "b")], 0, "events"));
    expect(completed.at(-1)).toMatchObject({
      event: "execution.completed",
      data: { durationMs: 40, usage: { inputTokens: 2, outputTokens: 4 } },
    });
  });
});
