// The Durable Object's persisted view of its run, and every change to it as a pure function: each
// takes the state and returns the next one (and what it implies); the object stores what it gets.
import type { ExecutionSnapshot, PromptOutcome } from "../db/execution-records";
import { type ErrorInfo, type ExecutionEvent, event, type Usage } from "../events/types";
import type { ExecutionStatus, FinalExecutionStatus, PromptResultStatus } from "../schemas/statuses";
import type { Ending } from "./endings";
import type { ExecutionPlan } from "./plan";
import { canceledByUser, databaseUnavailable, type StopReason, timedOut } from "./stop-reasons";

export interface PromptState {
  status: PromptResultStatus;
  startedAt: number | null;
  completedAt: number | null;
  /** Summed over every attempt. */
  usage: Usage | null;
  /**
   * Micro-dollars for that usage (null: no price), and the tokenizer's estimate of it; while the
   * prompt runs, what its ended attempts cost so far.
   */
  costMicros: number | null;
  estimatedCostMicros: number | null;
  /** What providers billed past the reservations of its calls (null: nothing was reserved). */
  overshootMicros: number | null;
  /** What the attempt in flight holds of the budgets (its worst case); 0 between attempts. */
  heldMicros: number;
  error: ErrorInfo | null;
  /** Attempts started so far (a restarted object resumes the prompt as the next one). */
  attempts: number;
  /** Hash of the request it sends (set when its group starts). */
  requestHash: string | null;
  /** A rerun copied its output from the source. */
  reused: boolean;
}

export interface SessionState {
  plan: ExecutionPlan;
  status: ExecutionStatus;
  startedAt: number;
  /** When the MAX_EXECUTION_MS cap is reached. */
  deadline: number;
  limitMs: number;
  cancelRequested: boolean;
  prompts: Readonly<Record<string, PromptState>>;
  finishedAt: number | null;
  error: ErrorInfo | null;
  /** Id of the terminal event once it is in the log. */
  terminalEventId: number | null;
  /** D1 missed a write: the whole final state must be written when D1 answers again. */
  owesSnapshot: boolean;
}

const PENDING: PromptState = {
  status: "pending",
  startedAt: null,
  completedAt: null,
  usage: null,
  costMicros: null,
  estimatedCostMicros: null,
  overshootMicros: null,
  heldMicros: 0,
  error: null,
  attempts: 0,
  requestHash: null,
  reused: false,
};

export function initialState(plan: ExecutionPlan, now: number, limitMs: number): SessionState {
  return {
    plan,
    status: "running",
    startedAt: now,
    deadline: now + limitMs,
    limitMs,
    cancelRequested: false,
    prompts: Object.fromEntries(plan.prompts.map((prompt) => [prompt.id, PENDING])),
    finishedAt: null,
    error: null,
    terminalEventId: null,
    owesSnapshot: false,
  };
}

/** One prompt changed; a prompt the plan does not have is a programming error, never a silent no-op. */
function withPrompt(state: SessionState, promptId: string, change: Partial<PromptState>): SessionState {
  const prompt = state.prompts[promptId];
  if (!prompt) throw new Error(`prompt ${promptId} is not in this execution's plan`);
  return { ...state, prompts: { ...state.prompts, [promptId]: { ...prompt, ...change } } };
}

/**
 * A group of prompts (one position) starts: each fresh prompt with its first attempt (one write for
 * both); a prompt resumed after a restart keeps its first start and its attempts so far.
 */
export const promptsStarted = (
  state: SessionState,
  promptIds: readonly string[],
  at: number,
  requestHashes: readonly string[] = [],
): SessionState =>
  promptIds.reduce((next, id, index) => {
    const prompt = next.prompts[id];
    return withPrompt(next, id, {
      status: "running",
      startedAt: prompt?.startedAt ?? at,
      attempts: prompt?.attempts || 1,
      requestHash: requestHashes[index] ?? prompt?.requestHash ?? null,
    });
  }, state);

/**
 * Attempt `attempt` of a prompt begins, holding `heldMicros` of the budgets; null when the state
 * already says so (no write needed).
 */
export function attemptStarted(
  state: SessionState,
  promptId: string,
  attempt: number,
  heldMicros = 0,
): SessionState | null {
  const prompt = state.prompts[promptId];
  if ((prompt?.attempts ?? 0) >= attempt && prompt?.heldMicros === heldMicros) return null;
  return withPrompt(state, promptId, { attempts: Math.max(attempt, prompt?.attempts ?? 0), heldMicros });
}

/** An attempt failed and another follows: what the prompt spent so far (whole micro-dollars, rounded up). */
export const attemptSettled = (
  state: SessionState,
  promptId: string,
  spent: { costMicros: number | null; estimatedCostMicros: number | null; overshootMicros: number | null },
): SessionState => withPrompt(state, promptId, { ...spent, heldMicros: 0 });

/** A prompt ended, whatever the outcome. */
export const promptEnded = (state: SessionState, promptId: string, outcome: PromptOutcome): SessionState =>
  withPrompt(state, promptId, {
    status: outcome.status,
    completedAt: outcome.completedAt,
    usage: outcome.usage,
    costMicros: outcome.costMicros,
    estimatedCostMicros: outcome.estimatedCostMicros,
    overshootMicros: outcome.overshootMicros,
    heldMicros: 0,
    error: outcome.error,
    attempts: outcome.attempts,
    requestHash: outcome.requestHash,
    reused: outcome.reused,
  });

export const cancelRequested = (state: SessionState): SessionState => ({ ...state, cancelRequested: true });

/** The execution's cost: its prompts' costs summed (a prompt without a price counts nothing). */
export const totalCost = (state: SessionState): number =>
  Object.values(state.prompts).reduce((total, prompt) => total + (prompt.costMicros ?? 0), 0);

/** Whether D1 still has to receive the whole final state. */
export const recordsOwed = (state: SessionState, owed: boolean): SessionState => ({ ...state, owesSnapshot: owed });

/** Prompts a cancel stopped mid-answer (they end without a `prompt.failed`). */
export const canceledPromptIds = (state: SessionState | undefined): string[] =>
  Object.entries(state?.prompts ?? {}).flatMap(([id, prompt]) => (prompt.status === "canceled" ? [id] : []));

/**
 * A prompt whose attempt was cut (its object restarted, or the run ended under it) counts that
 * attempt at what it held: what the provider billed for it can no longer be known.
 */
export const cutAttemptSettled = (prompt: PromptState): PromptState =>
  prompt.heldMicros > 0
    ? { ...prompt, costMicros: (prompt.costMicros ?? 0) + prompt.heldMicros, heldMicros: 0 }
    : prompt;

export const isOpen = (prompt: PromptState): boolean => prompt.status === "pending" || prompt.status === "running";

/** The run ends: never-started prompts are skipped, running ones end as the ending says. */
export interface Finished {
  state: SessionState;
  /** `prompt.failed` for each running prompt that fails with the run (before the terminal event). */
  events: ExecutionEvent[];
  /** Whether any prompt was still pending or running (else D1 needs only the execution row). */
  promptsOpen: boolean;
}

export function finished(state: SessionState, ending: Ending, now: number): Finished {
  const events: ExecutionEvent[] = [];
  const prompts: Record<string, PromptState> = {};
  for (const [promptId, prompt] of Object.entries(state.prompts)) {
    if (prompt.status === "pending") {
      prompts[promptId] = { ...prompt, status: "skipped" };
    } else if (prompt.status === "running") {
      prompts[promptId] = {
        ...cutAttemptSettled(prompt),
        status: ending.runningBecomes,
        completedAt: now,
        error: ending.error,
      };
      if (ending.runningBecomes === "failed" && ending.error)
        events.push(event("prompt.failed", { promptId, error: ending.error }));
    } else {
      prompts[promptId] = prompt;
    }
  }
  const promptsOpen = Object.values(state.prompts).some(isOpen);
  return {
    state: { ...state, prompts, status: ending.status, error: ending.error, finishedAt: now },
    events,
    promptsOpen,
  };
}

/** The terminal event is in the log: followers close after it. */
export const terminalStored = (state: SessionState, eventId: number): SessionState => ({
  ...state,
  terminalEventId: eventId,
});

/**
 * Whether a run found dead after a restart stops instead of resuming: a cancel asked for, the cap
 * passed, or D1 already failing (its records owed). Null: it resumes.
 */
export function stopAfterRestart(state: SessionState, now: number): StopReason | null {
  if (state.cancelRequested) return canceledByUser();
  if (now >= state.deadline) return timedOut(state.limitMs);
  if (state.owesSnapshot) return databaseUnavailable();
  return null;
}

/** The final records to write to D1, with outputs taken from the event log. */
export function snapshotOf(state: SessionState, outputs: ReadonlyMap<string, string>, now: number): ExecutionSnapshot {
  return {
    status: state.status as FinalExecutionStatus,
    error: state.error,
    costMicros: totalCost(state),
    startedAt: state.startedAt,
    completedAt: state.finishedAt ?? now,
    prompts: state.plan.prompts.map((prompt) => {
      const promptState = state.prompts[prompt.id];
      const status = promptState?.status ?? "skipped";
      return {
        promptId: prompt.id,
        status: status === "pending" || status === "running" ? "skipped" : status,
        output: outputs.get(prompt.id) ?? "",
        error: promptState?.error ?? null,
        startedAt: promptState?.startedAt ?? null,
        completedAt: promptState?.completedAt ?? state.finishedAt ?? now,
        usage: promptState?.usage ?? null,
        costMicros: promptState?.costMicros ?? null,
        estimatedCostMicros: promptState?.estimatedCostMicros ?? null,
        overshootMicros: promptState?.overshootMicros ?? null,
        attempts: promptState?.attempts ?? 0,
        requestHash: promptState?.requestHash ?? null,
        reused: promptState?.reused ?? false,
      };
    }),
  };
}
