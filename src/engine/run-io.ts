// What the run's decisions take and give: the inputs (what just happened) and the effects (what the
// object must now do). Every effect that does work for a prompt reports back exactly once, as an
// input, even when it was stopped, so a run always knows what it still waits for.
import type { ErrorInfo, ExecutionEvent, Usage } from "../events/types";
import type { ResolvedCall, ToolResult } from "./agent-state";
import type { ExecutionPlan } from "./plan";
import type { RunState } from "./run-state";
import type { CallGrant, SpendingRefusal } from "./spending";
import type { StopReason } from "./stop-reasons";

/** A `prompt.completed` the event log holds (it is stored before any client sees it). */
export interface LoggedCompletion {
  output: string;
  usage: Usage | null;
  costMicros: number | null;
  durationMs: number;
}

/** A call the object prepared: its request's hash, and either reuse (a rerun's unchanged prompt) or its budget share. */
export interface PreparedCall {
  promptId: string;
  attempt: number;
  requestHash: string;
  /** The rerun's source may supply the output instead of the model. */
  reuse: boolean;
  /** The share of the budgets the call may spend (null when it is reused instead). */
  grant: CallGrant | null;
}

/**
 * What one call cost, in fractional micro-dollars: the provider's figure (or the estimate), the
 * tokenizer's estimate, and what it billed past its reservation. Null where its model has no price
 * (cost) or costs nothing (estimate, overshoot): nothing was counted.
 */
export interface CallSpending {
  costMicros: number | null;
  estimatedCostMicros: number | null;
  overshootMicros: number | null;
}

/**
 * How one model call (an attempt) ended: its output and usage, what it cost, and why it ended. An
 * agent step's `output` is its whole text so far (earlier turns' and this one's).
 */
export type AttemptOutcome = {
  output: string;
  usage: Usage | null;
  spent: CallSpending;
} /** `turn`: an agent step's turn that asked for tools (its own text, its calls resolved). */ & (
  | { kind: "completed"; turn?: AgentTurn }
  /** `retryable`: transient, after the first token: another attempt may help (after `retryAfterMs` at least). */
  | { kind: "failed"; error: ErrorInfo; retryable: boolean; retryAfterMs: number | null }
  /** The run's stop reached it. */
  | { kind: "stopped" }
  /** Spending may not go on: the call's share is spent, or the budget's bound cut the answer. */
  | { kind: "refused"; refusal: SpendingRefusal }
);

/** An agent step's turn that asked for tool calls. */
export interface AgentTurn {
  text: string;
  calls: ResolvedCall[];
  /**
   * Whether the owner's account lets the run wait for approvals: `allowed` (it counts the run as
   * waiting now), `refused` (past MAX_WAITING_EXECUTIONS), `none` (no call needs one).
   */
  wait: "none" | "allowed" | "refused";
}

export type RunInput =
  /** Start a run once (a second start is a client retry). */
  | { type: "start"; plan: ExecutionPlan; limitMs: number }
  /**
   * A fresh life of the object found its run running: whatever was in flight was cut. `toolResults`:
   * the stored results of tool calls; `loggedCalls`: the calls whose `tool.completed` is in the log.
   */
  | {
      type: "resume";
      completions: ReadonlyMap<string, LoggedCompletion>;
      toolResults?: ReadonlyMap<string, ToolResult>;
      loggedCalls?: ReadonlySet<string>;
    }
  | { type: "prepared"; calls: PreparedCall[] }
  /** A rerun's source output for a prompt (null: not found, so the prompt calls its model). */
  | { type: "reused"; promptId: string; output: string | null }
  | { type: "attemptEnded"; promptId: string; attempt: number; outcome: AttemptOutcome }
  /** Work the object asked for failed unexpectedly (a bug, not a model's failure): its prompts fail. */
  | { type: "workFailed"; promptIds: string[]; error: ErrorInfo }
  | { type: "cancel" }
  /** The alarm rang. */
  | { type: "wake" }
  /** A D1 write ended. */
  | { type: "recorded"; write: RecordWrite["kind"]; ok: boolean }
  /** A pending execution (created to be started later) is started. */
  | { type: "begin" }
  /** A tool call ended, its result stored (null: the run's stop cut it; nothing is stored). */
  | { type: "toolEnded"; promptId: string; callId: string; result: ToolResult | null }
  /** An `assistant:` call's nested execution is about to start (stored first, so a restart finds it). */
  | { type: "nestedStarted"; callId: string; executionId: string; budgetMicros: number | null }
  /** A person (or the approval timeout, or a limit) decided a waiting call. */
  | { type: "decided"; callId: string; decision: "approve" | "deny"; reason?: string; by: string }
  /** The daily budget's ledger could not be reached: the run stops rather than spend unchecked. */
  | { type: "ledgerFailed" };

/** What D1 is told: the run's record when it starts (in the background), and whole when it ends. */
export type RecordWrite = { kind: "index" } | { kind: "final" };

/** One prompt's call to make, or to make ready first. */
export interface CallToPrepare {
  promptId: string;
  attempt: number;
  /** Another attempt waits first: a backoff after attempt `afterAttempt`, at least what the server asked. */
  delay: { afterAttempt: number; retryAfterMs: number | null } | null;
  /** A first attempt of a rerun's prompt may reuse its source's output. */
  mayReuse: boolean;
}

export type RunEffect =
  | { type: "emit"; event: ExecutionEvent }
  /** Render, hash and grant these calls (together: they share what is left), then report `prepared`. */
  | { type: "prepare"; calls: CallToPrepare[] }
  /** Load a rerun's source output, then report `reused`. */
  | { type: "reuse"; promptId: string }
  /** Stream one attempt from the model (its deltas go straight to the log), then report `attemptEnded`. */
  | { type: "call"; promptId: string; attempt: number; grant: CallGrant }
  /** Run an agent step's tool call, store its result, then report `toolEnded`. */
  | { type: "tool"; promptId: string; callId: string }
  /** A prepared call that will not be made: give its share back. */
  | { type: "release"; promptId: string; attempt: number }
  /** Stop every call in flight. */
  | { type: "abort"; reason: StopReason }
  /** Write to D1, in order, and report `recorded`. */
  | { type: "record"; write: RecordWrite }
  /**
   * Tell the owner's account: the run still lives (its lease is renewed), it ended (its slot and
   * budget settle), D1 now holds its whole record (a repair landed), or it goes on after waiting.
   */
  | { type: "account"; action: "renew" | "ended" | "indexed" | "resumed" }
  /** The terminal event is stored: let go of the run's memory, log how it ended. */
  | { type: "ended" }
  /** The event log has passed its retention: delete the object's storage. */
  | { type: "forget" };

/** A decision: the next state (persisted before any effect runs) and what to do. */
export interface Decision {
  state: RunState;
  effects: RunEffect[];
}
