// The run's decisions: given the stored state and what just happened, the next state and the effects
// to carry out. Pure: no clock but `now`, no storage, no I/O. The execution's object persists each
// state before it carries out the effects (durable/run-shell.ts). This file holds the run's course
// (start, the next group, stops, the end, the records); prompt-decisions.ts holds each prompt's.
import { event } from "../events/types";
import { COMPLETED, type Ending, failedWith, stopEnding, terminalEvent } from "./endings";
import { D1_REPAIR_RETRY_MS, EVENT_LOG_RETENTION_MS } from "./next-wake";
import type { ExecutionPlan } from "./plan";
import { groupByPosition } from "./plan";
import { promptDecisions } from "./prompt-decisions";
import { resumePrompts } from "./resume-decisions";
import type { CallToPrepare, Decision, RunEffect, RunInput } from "./run-io";
import {
  cutAttemptSettled,
  initialRunState,
  type PromptState,
  type RunState,
  withWholeCosts,
  workInFlight,
} from "./run-state";
import { budgetUnavailable, canceledByUser, type StopReason, timedOut } from "./stop-reasons";

/** How a run is set going: its limits, read from the configuration when it starts. */
export interface RunLimits {
  limitMs: number;
  maxAttempts: number;
}

/** A new run: `execution.started`, then its first group is prepared. */
export function startRun(plan: ExecutionPlan, limits: RunLimits, now: number): Decision {
  const state = initialRunState(plan, now, limits.limitMs, limits.maxAttempts);
  const started = event("execution.started", {
    executionId: plan.executionId,
    toolId: plan.toolId,
    toolName: plan.toolName,
    prompts: plan.prompts.map(({ id, name, position }) => ({ id, name, position })),
    sourceExecutionId: plan.sourceExecutionId,
    fromPromptId: plan.fromPromptId,
  });
  return advance({ state, effects: [{ type: "emit", event: started }] }, now);
}

/** What happens next after `input`; null when it changes nothing (a late or repeated input). */
export function decide(state: RunState, input: Exclude<RunInput, { type: "start" }>, now: number): Decision | null {
  switch (input.type) {
    case "prepared":
    case "reused":
    case "attemptEnded":
    case "workFailed": {
      const decided = promptDecisions(state, input, now);
      return decided && advance(decided, now);
    }
    case "cancel":
      return state.finishedAt !== null || state.stopping ? null : stop(state, canceledByUser(), now);
    case "wake":
      return wake(state, now);
    case "resume":
      return resume(state, input.completions, now);
    case "recorded":
      return recorded(state, input.what, input.ok, now);
    case "ledgerFailed":
      return state.finishedAt === null ? stop(state, budgetUnavailable(), now) : null;
  }
}

/** The run must stop: every call in flight is aborted, and it ends once none is left. */
export function stop(state: RunState, reason: StopReason, now: number, effects: RunEffect[] = []): Decision {
  if (state.stopping || state.finishedAt !== null) return { state, effects };
  return advance({ state: { ...state, stopping: reason }, effects: [...effects, { type: "abort", reason }] }, now);
}

/**
 * The run moves on when nothing is in flight: it ends (stopped, a prompt failed, or every prompt
 * done), or the next group of prompts (one position) is prepared together.
 */
export function advance(decision: Decision, now: number): Decision {
  const { state } = decision;
  if (state.finishedAt !== null || workInFlight(state)) return decision;
  if (state.stopping) return finish(decision, stopEnding(state.stopping), now);
  if (state.failure) return finish(decision, failedWith(state.failure), now);
  const group = groupByPosition(state.plan.prompts).find((prompts) =>
    prompts.some((prompt) => isOpen(state.prompts[prompt.id])),
  );
  if (!group) return finish(decision, COMPLETED, now);
  const open = group.filter((prompt) => isOpen(state.prompts[prompt.id]));
  const fresh = open.filter((prompt) => state.prompts[prompt.id]?.status === "pending").map((prompt) => prompt.id);
  let next = state;
  const calls: CallToPrepare[] = [];
  for (const { id } of open) {
    const prompt = next.prompts[id];
    if (!prompt) continue;
    next = {
      ...next,
      prompts: {
        ...next.prompts,
        [id]: { ...prompt, status: "running", work: "preparing", startedAt: prompt.startedAt ?? now },
      },
    };
    // Only a prompt never sent to its model may take a rerun's source output instead.
    const mayReuse = prompt.attempts === 0 && id in state.plan.reusable;
    calls.push({ promptId: id, attempt: prompt.attempts + 1, delay: null, mayReuse });
  }
  const effects: RunEffect[] = [...decision.effects];
  if (fresh.length > 0 && !next.owesSnapshot)
    effects.push({
      type: "record",
      write: { kind: "promptsRunning", promptIds: fresh, at: now },
      reportAs: "progress",
    });
  effects.push({ type: "prepare", calls });
  return { state: next, effects };
}

/** Not ended: yet to start, or between attempts (nothing in flight for it). */
const isOpen = (prompt: PromptState | undefined): boolean =>
  prompt !== undefined && (prompt.status === "pending" || prompt.status === "running");

/**
 * The run ends: never-started prompts are skipped, running ones end as the ending says (a
 * `prompt.failed` each when they fail with it). The terminal event waits for the final records.
 */
function finish(decision: Decision, ending: Ending, now: number): Decision {
  const { state } = decision;
  const effects: RunEffect[] = [...decision.effects];
  const prompts: Record<string, PromptState> = {};
  let promptsOpen = false;
  for (const [promptId, prompt] of Object.entries(state.prompts)) {
    if (prompt.status === "pending") {
      promptsOpen = true;
      prompts[promptId] = { ...prompt, status: "skipped" };
    } else if (prompt.status === "running") {
      promptsOpen = true;
      prompts[promptId] = {
        ...withWholeCosts(cutAttemptSettled(prompt)),
        status: ending.runningBecomes,
        work: null,
        completedAt: now,
        error: ending.error,
      };
      if (ending.runningBecomes === "failed" && ending.error)
        effects.push({ type: "emit", event: event("prompt.failed", { promptId, error: ending.error }) });
    } else {
      prompts[promptId] = prompt;
    }
  }
  const ended: RunState = {
    ...state,
    prompts,
    status: ending.status,
    error: ending.error,
    finishedAt: now,
    terminal: { status: ending.status, runningBecame: ending.runningBecomes },
  };
  const write = ended.owesSnapshot
    ? ({ kind: "snapshot" } as const)
    : ({
        kind: "ended",
        status: ending.status,
        error: ending.error,
        completedAt: now,
        runningBecame: ending.runningBecomes,
        promptsOpen,
        costMicros: totalWholeCost(ended),
      } as const);
  effects.push({ type: "record", write, reportAs: "final" });
  return { state: ended, effects };
}

/** The cost the records show: each prompt's, in whole micro-dollars. */
const totalWholeCost = (state: RunState): number =>
  Object.values(state.prompts).reduce((total, prompt) => total + (prompt.costMicros ?? 0), 0);

/** The alarm: the cap, a repair of D1, the end of the event log's retention; otherwise a heartbeat. */
function wake(state: RunState, now: number): Decision | null {
  if (state.finishedAt === null) return now >= state.deadline ? stop(state, timedOut(state.limitMs), now) : null;
  // Owed records are tried whenever the object wakes (an early try does no harm).
  if (state.owesSnapshot)
    return {
      state: { ...state, repairAt: now + D1_REPAIR_RETRY_MS },
      effects: [{ type: "record", write: { kind: "snapshot" }, reportAs: "final" }],
    };
  return now >= state.finishedAt + EVENT_LOG_RETENTION_MS ? { state, effects: [{ type: "forget" }] } : null;
}

/**
 * A D1 write ended. A failed one never stops or delays the run: its records are owed whole, written
 * at the end and repaired from the alarm until D1 answers.
 */
function recorded(state: RunState, what: "progress" | "final", ok: boolean, now: number): Decision | null {
  if (what === "progress")
    return ok || state.owesSnapshot ? null : { state: { ...state, owesSnapshot: true }, effects: [] };
  const settled: RunState = ok
    ? { ...state, owesSnapshot: false, repairAt: null }
    : { ...state, owesSnapshot: true, repairAt: now + D1_REPAIR_RETRY_MS };
  if (state.terminalStored) return { state: settled, effects: [] };
  // The final write answered (or failed, and is owed): the stream may end.
  return {
    state: { ...settled, terminalStored: true },
    effects: [{ type: "emit", event: terminalEvent(settled) }, { type: "ended" }],
  };
}

/**
 * A fresh life of the object found its run: whatever was in flight was cut. Prompts the log shows
 * completed are completed; prompts cut mid-attempt go on with their next attempt (or fail, out of
 * attempts). A run asked to stop, or past its cap, ends instead.
 */
function resume(state: RunState, completions: Parameters<typeof resumePrompts>[1], now: number): Decision {
  if (state.finishedAt !== null) {
    // It ended but its terminal event was never sent: the final records are written again (whole).
    if (state.terminalStored) return { state, effects: [] };
    return { state, effects: [{ type: "record", write: { kind: "snapshot" }, reportAs: "final" }] };
  }
  const resumed = resumePrompts(state, completions, now);
  const reason = resumed.state.stopping ?? (now >= state.deadline ? timedOut(state.limitMs) : null);
  if (reason) return advance({ state: { ...resumed.state, stopping: reason }, effects: resumed.effects }, now);
  return advance(resumed, now);
}
