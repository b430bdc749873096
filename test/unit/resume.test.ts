// What a restarted object resumes from, decided purely from its stored state and its event log.
import { describe, expect, it } from "vitest";
import type { ExecutionPlan } from "../../src/engine/plan";
import { resumeFrom } from "../../src/engine/resume";
import { attemptSettled, attemptStarted, initialState, promptEnded, promptsStarted } from "../../src/engine/state";

const plan: ExecutionPlan = {
  executionId: "e",
  ownerId: "u",
  toolId: "t",
  toolName: "T",
  onPromptError: "stop",
  values: {},
  sourceExecutionId: null,
  fromPromptId: null,
  reusable: {},
  budgetMicros: null,
  prompts: ["a", "b", "c", "d"].map((id, index) => ({
    id,
    name: id,
    position: index < 3 ? 0 : 1,
    ordinal: index + 1,
    model: "m",
    systemContext: null,
    content: id,
    temperature: null,
    maxTokens: null,
  })),
};

describe("resumeFrom", () => {
  it("keeps ended prompts, recovers a completion the state missed, and resumes the cut prompt as its next attempt", () => {
    let state = promptsStarted(initialState(plan, 0, 60_000), ["a", "b", "c"], 10);
    // The group's start already counts each prompt's first attempt: no second write for it.
    expect(attemptStarted(state, "a", 1)).toBeNull();
    state = attemptSettled(state, "c", { costMicros: 40, estimatedCostMicros: 38, overshootMicros: 0 });
    state = attemptStarted(state, "c", 2, 125) ?? state;
    expect(state.prompts.c).toMatchObject({ attempts: 2, heldMicros: 125 });
    state = promptEnded(state, "a", {
      status: "completed",
      output: "A",
      error: null,
      startedAt: 10,
      completedAt: 20,
      usage: { inputTokens: 1, outputTokens: 1 },
      attempts: 1,
      requestHash: "h",
      costMicros: null,
      estimatedCostMicros: null,
      overshootMicros: null,
      reused: false,
    });
    // "b" completed in the log, but the object stopped before the state said so.
    const completions = new Map([
      ["a", { output: "A", usage: null, costMicros: null, durationMs: 10 }],
      ["b", { output: "B", usage: { inputTokens: 2, outputTokens: 3 }, costMicros: 5, durationMs: 15 }],
    ]);
    const { state: next, prior } = resumeFrom(state, completions, new Map([["c", "partial"]]));
    expect(next.prompts.b).toMatchObject({
      status: "completed",
      completedAt: 25,
      usage: { inputTokens: 2, outputTokens: 3 },
      attempts: 1,
    });
    expect([...prior.ended.keys()]).toEqual(["a", "b"]);
    expect(prior.ended.get("b")).toMatchObject({ status: "completed", output: "B" });
    // The cut attempt counts at what it held: what the provider billed for it cannot be known.
    expect([...prior.interrupted]).toEqual([
      ["c", { attempts: 2, startedAt: 10, spent: { cost: 165, estimate: 38, overshoot: 0 } }],
    ]);
    expect(next.prompts.c).toMatchObject({ costMicros: 165, heldMicros: 0 });
    // "d" never started: it simply runs.
    expect(prior.ended.has("d") || prior.interrupted.has("d")).toBe(false);
  });
});
