// The run as its Durable Object stores it: small, rewritten after every decision (the plan is stored
// once beside it, the outputs live in the event log). Whether a run is alive is a fact here: its
// status, and for each prompt what the object has in flight for it.
import type { ErrorInfo, Usage } from "../events/types";
import { wholeMicros } from "../lib/model-catalogue";
import type { ExecutionStatus, FinalExecutionStatus, FinalPromptStatus, PromptResultStatus } from "../schemas/statuses";
import type { AgentState } from "./agent-state";
import type { ExecutionPlan } from "./plan";
import type { StopReason } from "./stop-reasons";

/**
 * What the object has asked for a prompt and not yet heard back (each such effect reports back exactly
 * once); `tooling`: an agent step's tool calls run.
 */
export type PromptWork = "preparing" | "calling" | "reusing" | "tooling";

export interface PromptState {
  status: PromptResultStatus;
  /** In flight in the object's current life (a fresh life finds none: whatever was in flight was cut). */
  work: PromptWork | null;
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
  /** Why its next attempt starts again (`prompt.restarted`); null: the next is a first start. */
  restartReason: ErrorInfo | null;
  /** Hash of the request it sends (set when it is prepared). */
  requestHash: string | null;
  /** A rerun copied its output from the source. */
  reused: boolean;
  /** An agent step's turns and tool calls (absent for an ordinary prompt). */
  agent?: AgentState;
  /**
   * What the step's nested executions (`assistant:` calls) cost, included in `costMicros`: the
   * owner's day counts it on the nested executions themselves, not again here.
   */
  nestedCostMicros?: number;
}

export interface RunState {
  plan: ExecutionPlan;
  status: ExecutionStatus;
  startedAt: number;
  /** When the MAX_EXECUTION_MS cap is reached. */
  deadline: number;
  limitMs: number;
  /** Attempts per prompt, the first included (PROMPT_MAX_ATTEMPTS when the run started). */
  maxAttempts: number;
  /** A pending execution (created to be started later) expires then unless it is started (null: not pending). */
  pendingUntil: number | null;
  /** The run must stop (cancel, the cap, a budget, D1): it ends this way once nothing is in flight. */
  stopping: StopReason | null;
  /** A prompt failed and the tool stops on failures: the chain ends once its group has. */
  failure: ErrorInfo | null;
  prompts: Readonly<Record<string, PromptState>>;
  finishedAt: number | null;
  error: ErrorInfo | null;
  /** The event that ends the stream, decided but not yet sent: it waits for the final records. */
  terminal: TerminalPending | null;
  /** The terminal event is in the log: followers close after it. */
  terminalStored: boolean;
  /** D1 missed a write: the whole final state must be written when D1 answers again. */
  owesSnapshot: boolean;
  /** When the next attempt to repair D1 is due (an ended run that owes its records). */
  repairAt: number | null;
  /** A tool call not decided this long after it asked is denied (APPROVAL_TIMEOUT_MS when the run started). */
  approvalTimeoutMs: number;
  /** Since when the run waits for a decision (its time cap stands still meanwhile); null: not waiting. */
  waitingSince: number | null;
  /** The owner's account counts the run as waiting (no slot held) until it is told the run goes on. */
  accountWaiting: boolean;
}

/** How a run ended, and the event that says so once the records are written. */
export interface TerminalPending {
  status: FinalExecutionStatus;
  /** What a prompt still running at the end became (the final records need it). */
  runningBecame: FinalPromptStatus;
}

export const PENDING_PROMPT: PromptState = {
  status: "pending",
  work: null,
  startedAt: null,
  completedAt: null,
  usage: null,
  costMicros: null,
  estimatedCostMicros: null,
  overshootMicros: null,
  heldMicros: 0,
  error: null,
  attempts: 0,
  restartReason: null,
  requestHash: null,
  reused: false,
};

/** A run about to start, or (with `pendingUntil`) a pending execution that will start later or expire. */
export function initialRunState(
  plan: ExecutionPlan,
  now: number,
  limits: { limitMs: number; maxAttempts: number; approvalTimeoutMs: number },
  pendingUntil: number | null = null,
): RunState {
  return {
    plan,
    status: pendingUntil === null ? "running" : "pending",
    startedAt: now,
    deadline: now + limits.limitMs,
    limitMs: limits.limitMs,
    maxAttempts: limits.maxAttempts,
    pendingUntil,
    stopping: null,
    failure: null,
    prompts: Object.fromEntries(plan.prompts.map((prompt) => [prompt.id, PENDING_PROMPT])),
    finishedAt: null,
    error: null,
    terminal: null,
    terminalStored: false,
    owesSnapshot: false,
    repairAt: null,
    approvalTimeoutMs: limits.approvalTimeoutMs,
    waitingSince: null,
    accountWaiting: false,
  };
}

/** One prompt changed; a prompt the plan does not have is a programming error, never a silent no-op. */
export function withPrompt(state: RunState, promptId: string, change: Partial<PromptState>): RunState {
  const prompt = state.prompts[promptId];
  if (!prompt) throw new Error(`prompt ${promptId} is not in this execution's plan`);
  return { ...state, prompts: { ...state.prompts, [promptId]: { ...prompt, ...change } } };
}

/** The prompt's state (throws for a prompt the plan does not have). */
export function promptOf(state: RunState, promptId: string): PromptState {
  const prompt = state.prompts[promptId];
  if (!prompt) throw new Error(`prompt ${promptId} is not in this execution's plan`);
  return prompt;
}

/** The execution's cost: its prompts' costs summed (a prompt without a price counts nothing). */
export const totalCost = (state: RunState): number =>
  Object.values(state.prompts).reduce((total, prompt) => total + (prompt.costMicros ?? 0), 0);

/** What the run's nested executions cost (part of `totalCost`). */
export const nestedCost = (state: RunState): number =>
  Object.values(state.prompts).reduce((total, prompt) => total + (prompt.nestedCostMicros ?? 0), 0);

/** What the run's own model calls cost: what the owner's day counts for it (nested executions count their own). */
export const ownCost = (state: RunState): number => totalCost(state) - nestedCost(state);

/** A step's cost with a nested execution's added (a result without a cost adds nothing). */
export function withNestedCost(prompt: PromptState, costMicros: number | null | undefined): PromptState {
  if (!costMicros) return prompt;
  return {
    ...prompt,
    costMicros: (prompt.costMicros ?? 0) + costMicros,
    nestedCostMicros: (prompt.nestedCostMicros ?? 0) + costMicros,
  };
}

/** Whether anything the object asked for is still in flight (a stop waits for it). */
export const workInFlight = (state: RunState): boolean => Object.values(state.prompts).some((prompt) => prompt.work);

/** Prompts a cancel stopped mid-answer (they end without a `prompt.failed`). */
export const canceledPromptIds = (state: RunState | undefined): string[] =>
  Object.entries(state?.prompts ?? {}).flatMap(([id, prompt]) => (prompt.status === "canceled" ? [id] : []));

/**
 * A prompt whose attempt was cut (its object restarted, or the run ended under it) counts that
 * attempt at what it held: what the provider billed for it can no longer be known.
 */
export const cutAttemptSettled = (prompt: PromptState): PromptState =>
  prompt.heldMicros > 0
    ? { ...prompt, costMicros: (prompt.costMicros ?? 0) + prompt.heldMicros, heldMicros: 0 }
    : prompt;

/** A prompt's costs as it ends: while it runs they are fractional micro-dollars; the records keep whole ones, rounded up. */
export function withWholeCosts(prompt: PromptState): PromptState {
  const whole = (micros: number | null) => (micros === null ? null : wholeMicros(micros));
  return {
    ...prompt,
    costMicros: whole(prompt.costMicros),
    estimatedCostMicros: whole(prompt.estimatedCostMicros),
    overshootMicros: whole(prompt.overshootMicros),
  };
}
