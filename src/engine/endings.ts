// How a run ends: its final status, error, terminal event, and what a still-running prompt becomes.
import type { ErrorInfo } from "../events/types";
import type { FinalExecutionStatus, FinalPromptStatus } from "../schemas/statuses";
import { event, type ExecutionEvent } from "../events/types";
import type { RunResult, StopReason } from "./chain-runner";
import type { SessionState } from "./state";

export interface Ending {
  status: FinalExecutionStatus;
  error: ErrorInfo | null;
  terminal: ExecutionEvent;
  /** What a prompt still running at the end becomes. */
  runningBecomes: FinalPromptStatus;
}

/** The ending of a run stopped from outside (cancel, the cap, D1) or found dead after a restart. */
export function stopEnding(state: SessionState, reason: StopReason | { code: "interrupted"; message: string }): Ending {
  const error = { code: reason.code, message: reason.message };
  if (reason.code === "canceled") return { status: "canceled", error: null, terminal: event("execution.canceled", {}), runningBecomes: "canceled" };
  if (reason.code === "timed_out") return { status: "timed_out", error, terminal: event("execution.timed_out", { limitMs: state.limitMs }), runningBecomes: "failed" };
  return { status: "failed", error, terminal: event("execution.failed", { error }), runningBecomes: "failed" };
}

/** The ending of a run that returned. */
export function endingOf(state: SessionState, result: RunResult): Ending {
  const durationMs = Date.now() - state.startedAt;
  if (result.status === "completed") return { status: "completed", error: null, terminal: event("execution.completed", { durationMs, usage: result.usage }), runningBecomes: "failed" };
  if (result.status === "failed") return { status: "failed", error: result.error, terminal: event("execution.failed", { error: result.error }), runningBecomes: "failed" };
  return stopEnding(state, result.reason);
}
