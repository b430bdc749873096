// The run's decisions: given the stored state and what just happened, the next state and the effects
// to carry out. Pure: no clock but `now`, no storage, no I/O. The execution's object persists each
// state before it carries out the effects (durable/run-shell.ts). This file holds the run's course
// (start, the next group, stops, the end, the records); prompt-decisions.ts holds each prompt's.
import { event } from "../events/types";
import { approvalTimeouts, callDecided, endedCalls, nestedStarted, toolEnded } from "./agent-decisions";
import { isAgentStep, NEW_AGENT } from "./agent-state";
import { COMPLETED, type Ending, failedWith, stopEnding, terminalEvent } from "./endings";
import { D1_REPAIR_RETRY_MS, EVENT_LOG_RETENTION_MS } from "./next-wake";
import type { ExecutionPlan } from "./plan";
import { groupByPosition } from "./plan";
import { promptDecisions, STEP_OPS } from "./prompt-decisions";
import { resumePrompts, type StoredCalls } from "./resume-decisions";
import type { CallToPrepare, Decision, RecordWrite, RunEffect, RunInput } from "./run-io";
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
  approvalTimeoutMs: number;
}

/** A new run: its record goes to D1 in the background, `execution.started`, then its first group is prepared. */
export function startRun(plan: ExecutionPlan, limits: RunLimits, now: number): Decision {
  const state = initialRunState(plan, now, limits);
  return advance({ state, effects: [INDEX, { type: "emit", event: startedEvent(plan) }] }, now);
}

/** A pending execution: created now, started later (`begin`), or expired at `pendingUntil`. */
export function createPending(plan: ExecutionPlan, limits: RunLimits, now: number, pendingUntil: number): Decision {
  return { state: initialRunState(plan, now, limits, pendingUntil), effects: [INDEX] };
}

const INDEX: RunEffect = { type: "record", write: { kind: "index" } };

function startedEvent(plan: ExecutionPlan) {
  return event("execution.started", {
    executionId: plan.executionId,
    toolId: plan.toolId,
    toolName: plan.toolName,
    prompts: plan.prompts.map(({ id, name, position }) => ({ id, name, position })),
    sourceExecutionId: plan.sourceExecutionId,
    fromPromptId: plan.fromPromptId,
  });
}

/** A pending execution starts: its time cap counts from now. */
function begin(state: RunState, now: number): Decision | null {
  if (state.status !== "pending" || state.finishedAt !== null) return null;
  const running: RunState = {
    ...state,
    status: "running",
    pendingUntil: null,
    startedAt: now,
    deadline: now + state.limitMs,
  };
  return advance({ state: running, effects: [INDEX, { type: "emit", event: startedEvent(state.plan) }] }, now);
}

/** A pending execution nobody started in time is canceled with the `expired` error. */
function expired(state: RunState, now: number): Decision {
  const ttlMs = (state.pendingUntil ?? now) - (state.plan.header?.createdAt ?? state.startedAt);
  const error = {
    code: "expired",
    message: `The execution was not started within ${ttlMs} ms of its creation, so it was canceled`,
  };
  return finish({ state, effects: [] }, { status: "canceled", error, runningBecomes: "canceled" }, now);
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
      if (state.finishedAt !== null || state.stopping) return null;
      return state.status === "pending"
        ? finish({ state, effects: [] }, stopEnding(canceledByUser()), now)
        : stop(state, canceledByUser(), now);
    case "begin":
      return begin(state, now);
    case "toolEnded": {
      const decided = toolEnded(state, input, STEP_OPS, now);
      return decided && advance(decided, now);
    }
    case "nestedStarted":
      return state.finishedAt === null ? nestedStarted(state, input) : null;
    case "decided": {
      if (state.finishedAt !== null) return null;
      const decided = callDecided(state, input, STEP_OPS, now);
      return decided && advance(decided, now);
    }
    case "wake":
      return wake(state, now);
    case "resume":
      return resume(
        state,
        input.completions,
        { results: input.toolResults ?? new Map(), logged: input.loggedCalls ?? new Set() },
        now,
      );
    case "recorded":
      return recorded(state, input.write, input.ok, now);
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
  if (state.finishedAt !== null || state.status === "pending") return decision;
  if (workInFlight(state)) return waitingOrNot(decision, now);
  if (state.stopping) return finish(decision, stopEnding(state.stopping), now);
  if (state.failure) return finish(decision, failedWith(state.failure), now);
  const group = groupByPosition(state.plan.prompts).find((prompts) =>
    prompts.some((prompt) => isOpen(state.prompts[prompt.id]) || state.prompts[prompt.id]?.status === "waiting"),
  );
  if (!group) return finish(decision, COMPLETED, now);
  const open = group.filter((prompt) => isOpen(state.prompts[prompt.id]));
  let next = state;
  const calls: CallToPrepare[] = [];
  for (const planned of open) {
    const { id } = planned;
    const prompt = next.prompts[id];
    if (!prompt) continue;
    // An agent step's first turn begins here; its later ones when its calls are settled.
    const agent = isAgentStep(planned) ? (prompt.agent ?? { ...NEW_AGENT, turn: 1 }) : prompt.agent;
    next = {
      ...next,
      prompts: {
        ...next.prompts,
        [id]: {
          ...prompt,
          status: "running",
          work: "preparing",
          startedAt: prompt.startedAt ?? now,
          ...(agent ? { agent } : {}),
        },
      },
    };
    // Only a prompt never sent to its model (and not an agent step) may take a rerun's source output instead.
    const mayReuse = prompt.attempts === 0 && !agent && id in state.plan.reusable;
    calls.push({ promptId: id, attempt: prompt.attempts + 1, delay: null, mayReuse });
  }
  const effects: RunEffect[] = calls.length > 0 ? [{ type: "prepare", calls }] : [];
  return waitingOrNot({ state: next, effects: [...decision.effects, ...effects] }, now);
}

/**
 * The run waits when nothing is in flight and a step waits for a person: its time cap stands still
 * and it holds no slot. A decision makes it run again: its cap moves on by the time it waited, and
 * its account is told it goes on.
 */
function waitingOrNot(decision: Decision, now: number): Decision {
  const { state } = decision;
  const prompts = Object.values(state.prompts);
  const waits = !workInFlight(state) && prompts.some((prompt) => prompt.status === "waiting");
  if (waits && state.status === "running")
    return { ...decision, state: { ...state, status: "waiting", waitingSince: now } };
  if (waits || state.status !== "waiting") return decision;
  const waited = now - (state.waitingSince ?? now);
  const running: RunState = {
    ...state,
    status: "running",
    waitingSince: null,
    deadline: state.deadline + waited,
    accountWaiting: false,
  };
  const told: RunEffect[] = state.accountWaiting ? [{ type: "account", action: "resumed" }] : [];
  return { state: running, effects: [...decision.effects, ...told] };
}

/** Not ended: yet to start, or between attempts (nothing in flight for it). */
const isOpen = (prompt: PromptState | undefined): boolean =>
  prompt !== undefined && (prompt.status === "pending" || prompt.status === "running") && prompt.work === null;

/**
 * The run ends: never-started prompts are skipped, running ones end as the ending says (a
 * `prompt.failed` each when they fail with it). The terminal event waits for the final records.
 */
function finish(decision: Decision, ending: Ending, now: number): Decision {
  const { state } = decision;
  const effects: RunEffect[] = [...decision.effects];
  const prompts: Record<string, PromptState> = {};
  for (const [promptId, prompt] of Object.entries(state.prompts)) {
    if (prompt.status === "pending") {
      prompts[promptId] = { ...prompt, status: "skipped" };
    } else if (prompt.status === "running" || prompt.status === "waiting") {
      const agent = endedCalls(prompt.agent, now);
      prompts[promptId] = {
        ...withWholeCosts(cutAttemptSettled(prompt)),
        status: ending.runningBecomes,
        work: null,
        completedAt: now,
        error: ending.error,
        ...(agent ? { agent } : {}),
      };
      if (ending.runningBecomes === "failed" && ending.error)
        effects.push({ type: "emit", event: event("prompt.failed", { promptId, error: ending.error }) });
    } else {
      prompts[promptId] = prompt;
    }
  }
  const ended: RunState = {
    ...state,
    waitingSince: null,
    prompts,
    status: ending.status,
    error: ending.error,
    finishedAt: now,
    pendingUntil: null,
    terminal: { status: ending.status, runningBecame: ending.runningBecomes },
  };
  effects.push({ type: "record", write: { kind: "final" } });
  return { state: ended, effects };
}

/**
 * The alarm: a pending execution's expiry, the cap, a repair of D1, the end of the event log's
 * retention; a running run's heartbeat renews its lease on the owner's account.
 */
function wake(state: RunState, now: number): Decision | null {
  if (state.status === "pending") return now >= (state.pendingUntil ?? now) ? expired(state, now) : null;
  if (state.finishedAt === null) {
    // Calls not decided in time are denied; a waiting run's cap stands still and it holds no lease.
    const timedOutCalls = approvalTimeouts(state, STEP_OPS, now);
    if (timedOutCalls) return advance(timedOutCalls, now);
    if (state.status === "waiting") return null;
    return now >= state.deadline
      ? stop(state, timedOut(state.limitMs), now)
      : { state, effects: [{ type: "account", action: "renew" }] };
  }
  // Owed records are tried whenever the object wakes (an early try does no harm).
  if (state.owesSnapshot)
    return {
      state: { ...state, repairAt: now + D1_REPAIR_RETRY_MS },
      effects: [{ type: "record", write: { kind: "final" } }],
    };
  return now >= state.finishedAt + EVENT_LOG_RETENTION_MS ? { state, effects: [{ type: "forget" }] } : null;
}

/**
 * A D1 write ended. A failed one never stops or delays the run: its record is owed, written whole at
 * the end and repaired from the alarm until D1 answers. The end's write answered (or failed, and is
 * owed): the stream may end.
 */
function recorded(state: RunState, write: RecordWrite["kind"], ok: boolean, now: number): Decision | null {
  if (write === "index")
    return ok || state.owesSnapshot ? null : { state: { ...state, owesSnapshot: true }, effects: [] };
  const settled: RunState = ok
    ? { ...state, owesSnapshot: false, repairAt: null }
    : { ...state, owesSnapshot: true, repairAt: now + D1_REPAIR_RETRY_MS };
  if (state.terminalStored) return { state: settled, effects: ok ? [{ type: "account", action: "indexed" }] : [] };
  return {
    state: { ...settled, terminalStored: true },
    effects: [{ type: "emit", event: terminalEvent(settled) }, { type: "ended" }, { type: "account", action: "ended" }],
  };
}

/**
 * A fresh life of the object found its run: whatever was in flight was cut. Prompts the log shows
 * completed are completed; prompts cut mid-attempt go on with their next attempt (or fail, out of
 * attempts). A run asked to stop, or past its cap, ends instead.
 */
function resume(
  state: RunState,
  completions: Parameters<typeof resumePrompts>[1],
  tools: StoredCalls,
  now: number,
): Decision {
  if (state.finishedAt !== null) {
    // It ended but its terminal event was never sent: the final record is written again (whole).
    if (state.terminalStored) return { state, effects: [] };
    return { state, effects: [{ type: "record", write: { kind: "final" } }] };
  }
  if (state.status === "pending") return { state, effects: [] };
  const resumed = resumePrompts(state, completions, now, tools);
  const reason = resumed.state.stopping ?? (now >= state.deadline ? timedOut(state.limitMs) : null);
  // The lease on the owner's account is renewed at once: the last life may have left little of it.
  const renewed = { ...resumed, effects: [...resumed.effects, { type: "account", action: "renew" } as const] };
  if (reason) return advance({ state: { ...resumed.state, stopping: reason }, effects: renewed.effects }, now);
  return advance(renewed, now);
}
