// Each prompt's course through a run, as pure decisions: a prepared call is made (or reused, or
// refused its budget share), and an attempt that ended completes the prompt, starts another attempt
// or fails it.
import { type ErrorInfo, event } from "../events/types";
import { turnAskedForTools } from "./agent-decisions";
import { addUsage } from "./attempts";
import type { AttemptOutcome, CallSpending, Decision, PreparedCall, RunEffect, RunInput } from "./run-io";
import type { PromptState, RunState } from "./run-state";
import { withWholeCosts } from "./run-state";
import type { SpendingRefusal } from "./spending";
import { budgetExceeded, type StopReason } from "./stop-reasons";

type PromptInput = Extract<RunInput, { type: "prepared" | "reused" | "attemptEnded" | "workFailed" }>;

/** A prompt's course after `input`; null when it is stale (the prompt no longer waits for it). */
export function promptDecisions(state: RunState, input: PromptInput, now: number): Decision | null {
  switch (input.type) {
    case "prepared":
      return input.calls.reduce<Decision>((decision, call) => prepared(decision, call, now), { state, effects: [] });
    case "reused":
      return reused(state, input.promptId, input.output, now);
    case "attemptEnded":
      return attemptEnded(state, input.promptId, input.attempt, input.outcome, now);
    case "workFailed":
      return input.promptIds.reduce<Decision>(
        (decision, promptId) => {
          const prompt = decision.state.prompts[promptId];
          if (!prompt?.work) return decision;
          return endFailed(change(decision, promptId, { ...prompt, work: null }), promptId, input.error, now);
        },
        { state, effects: [] },
      );
  }
}

/** The run must stop with `reason` (the first reason wins): every call in flight is aborted. */
export function withStop(decision: Decision, reason: StopReason): Decision {
  if (decision.state.stopping) return decision;
  return { state: { ...decision.state, stopping: reason }, effects: [...decision.effects, { type: "abort", reason }] };
}

const refusedBy = (state: RunState, refusal: SpendingRefusal): StopReason =>
  budgetExceeded(refusal === "budget" ? state.plan.budgetMicros : null);

export function change(decision: Decision, promptId: string, prompt: PromptState, ...effects: RunEffect[]): Decision {
  return {
    state: { ...decision.state, prompts: { ...decision.state.prompts, [promptId]: prompt } },
    effects: [...decision.effects, ...effects],
  };
}

/**
 * `prompt.started` for a first attempt, `prompt.restarted` (with why) for a later one. An agent step
 * starts once: its later turns go on without an event, and a restarted turn sends its earlier turns'
 * text again as one delta, so its output is still its deltas after its last (re)start.
 */
function beginning(state: RunState, promptId: string, prompt: PromptState, attempt: number): RunEffect[] {
  const planned = state.plan.prompts.find((item) => item.id === promptId);
  const earlier = prompt.agent?.turnTexts.join("") ?? "";
  if (attempt > 1 && prompt.restartReason) {
    const restarted: RunEffect = {
      type: "emit",
      event: event("prompt.restarted", { promptId, attempt, reason: prompt.restartReason }),
    };
    if (earlier === "") return [restarted];
    return [restarted, { type: "emit", event: event("prompt.delta", { promptId, delta: earlier }) }];
  }
  if ((prompt.agent?.turn ?? 0) > 1) return [];
  const { name = "", position = 0, model = "" } = planned ?? {};
  return [{ type: "emit", event: event("prompt.started", { promptId, name, position, model }) }];
}

function prepared(decision: Decision, call: PreparedCall, now: number): Decision {
  const { state } = decision;
  const prompt = state.prompts[call.promptId];
  const release: RunEffect[] = call.grant?.granted
    ? [{ type: "release", promptId: call.promptId, attempt: call.attempt }]
    : [];
  if (prompt?.work !== "preparing") return { state, effects: [...decision.effects, ...release] };
  // Stopping: the call is not made, and the prompt ends with the run.
  if (state.stopping) return change(decision, call.promptId, { ...prompt, work: null }, ...release);
  if (call.reuse) {
    const reusing = { ...prompt, work: "reusing" as const, requestHash: call.requestHash };
    return change(decision, call.promptId, reusing, { type: "reuse", promptId: call.promptId });
  }
  const started = { ...prompt, attempts: call.attempt, requestHash: call.requestHash };
  const begin = beginning(state, call.promptId, prompt, call.attempt);
  if (!call.grant?.granted) {
    // Its share cannot pay for its input and the least answer: the call is not made, the run stops.
    const refusal = call.grant?.granted === false ? call.grant.refusal : "budget";
    const stopped = withStop(change(decision, call.promptId, started, ...begin), refusedBy(state, refusal));
    return endFailed(stopped, call.promptId, null, now);
  }
  const calling = { ...started, work: "calling" as const, heldMicros: call.grant.reservedMicros };
  return change(decision, call.promptId, calling, ...begin, {
    type: "call",
    promptId: call.promptId,
    attempt: call.attempt,
    grant: call.grant,
  });
}

function reused(state: RunState, promptId: string, output: string | null, now: number): Decision | null {
  const prompt = state.prompts[promptId];
  if (prompt?.work !== "reusing") return null;
  const decision = { state, effects: [] };
  if (output === null) {
    // The source's output is gone: the prompt calls its model after all.
    const call = { promptId, attempt: prompt.attempts + 1, delay: null, mayReuse: false };
    return change(decision, promptId, { ...prompt, work: "preparing" }, { type: "prepare", calls: [call] });
  }
  const planned = state.plan.prompts.find((item) => item.id === promptId);
  const completed: PromptState = {
    ...prompt,
    status: "completed",
    work: null,
    completedAt: now,
    usage: null,
    costMicros: 0,
    estimatedCostMicros: null,
    overshootMicros: null,
    reused: true,
  };
  const { name = "", position = 0, model = "" } = planned ?? {};
  const completion = { promptId, output, durationMs: 0, usage: null, costMicros: 0, reused: true as const };
  return change(
    decision,
    promptId,
    completed,
    { type: "emit", event: event("prompt.started", { promptId, name, position, model }) },
    { type: "emit", event: event("prompt.completed", completion) },
  );
}

/** Adds one call's spending to what the prompt spent before (null stays null: nothing counted). */
const plus = (before: number | null, more: number | null): number | null =>
  before === null && more === null ? null : (before ?? 0) + (more ?? 0);

function spentWith(prompt: PromptState, spent: CallSpending): PromptState {
  return {
    ...prompt,
    costMicros: plus(prompt.costMicros, spent.costMicros),
    estimatedCostMicros: plus(prompt.estimatedCostMicros, spent.estimatedCostMicros),
    overshootMicros: plus(prompt.overshootMicros, spent.overshootMicros),
    heldMicros: 0,
  };
}

function attemptEnded(
  state: RunState,
  promptId: string,
  attempt: number,
  outcome: AttemptOutcome,
  now: number,
): Decision | null {
  const prompt = state.prompts[promptId];
  if (prompt?.work !== "calling" || prompt.attempts !== attempt) return null;
  const usage = outcome.usage ? addUsage(prompt.usage, outcome.usage) : prompt.usage;
  const ended: PromptState = { ...spentWith(prompt, outcome.spent), usage, work: null };
  const decision = { state, effects: [] };
  if (outcome.kind === "completed" && outcome.turn && outcome.turn.calls.length > 0)
    return turnAskedForTools(decision, promptId, ended, outcome.turn, STEP_OPS, now);
  if (outcome.kind === "completed") {
    const completed = withWholeCosts({ ...ended, status: "completed", completedAt: now, error: null });
    const data = {
      promptId,
      output: outcome.output,
      durationMs: now - (prompt.startedAt ?? now),
      usage,
      costMicros: completed.costMicros,
    };
    return change(decision, promptId, completed, { type: "emit", event: event("prompt.completed", data) });
  }
  if (outcome.kind === "failed" && outcome.retryable && !state.stopping && attempt < state.maxAttempts) {
    // Transient, after the first token: the prompt starts again after a backoff.
    const retry = { ...ended, work: "preparing" as const, restartReason: outcome.error };
    const delay = { afterAttempt: attempt, retryAfterMs: outcome.retryAfterMs };
    return change(decision, promptId, retry, {
      type: "prepare",
      calls: [{ promptId, attempt: attempt + 1, delay, mayReuse: false }],
    });
  }
  const changed = change(decision, promptId, ended);
  if (outcome.kind === "refused")
    return endFailed(withStop(changed, refusedBy(state, outcome.refusal)), promptId, null, now);
  return endFailed(changed, promptId, outcome.kind === "failed" ? outcome.error : null, now);
}

/**
 * A prompt ends without completing: with the run's stop reason when it is stopping (quietly when
 * canceled: `execution.canceled` says it), else with its own error.
 */
export function endFailed(decision: Decision, promptId: string, error: ErrorInfo | null, now: number): Decision {
  const { state } = decision;
  const prompt = state.prompts[promptId];
  if (!prompt) return decision;
  const stop = state.stopping;
  const failure = stop
    ? { code: stop.code, message: stop.message }
    : (error ?? { code: "internal", message: "The prompt failed unexpectedly" });
  const canceled = stop?.code === "canceled";
  const ending: PromptState = withWholeCosts({
    ...prompt,
    status: canceled ? "canceled" : "failed",
    work: null,
    completedAt: now,
    error: failure,
  });
  const effects: RunEffect[] = canceled
    ? []
    : [{ type: "emit", event: event("prompt.failed", { promptId, error: failure }) }];
  let next = change(decision, promptId, ending, ...effects);
  if (!canceled && !stop && state.plan.onPromptError === "stop" && !state.failure)
    next = { ...next, state: { ...next.state, failure: promptFailure(state, promptId, failure) } };
  return next;
}

/** Why the chain stopped on a failed prompt: interrupted when restarts used its attempts up, else prompt_failed. */
function promptFailure(state: RunState, promptId: string, error: ErrorInfo): ErrorInfo {
  const name = state.plan.prompts.find((prompt) => prompt.id === promptId)?.name ?? promptId;
  const code = error.code === "interrupted" ? "interrupted" : "prompt_failed";
  return { code, message: `Prompt "${name}" failed: ${error.message}` };
}

/** What an agent step's decisions use of a prompt's (agent-decisions.ts). */
export const STEP_OPS = {
  change,
  fail: (decision: Decision, promptId: string, error: ErrorInfo, now: number) =>
    endFailed(decision, promptId, error, now),
};
