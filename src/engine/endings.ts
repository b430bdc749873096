// How a run ends: its final status, error, terminal event, and what a still-running prompt becomes.
import { type ErrorInfo, type ExecutionEvent, event } from "../events/types";
import type { FinalExecutionStatus, FinalPromptStatus } from "../schemas/statuses";
import type { RunResult } from "./chain-runner";
import type { StopReason } from "./stop-reasons";

export interface Ending {
  status: FinalExecutionStatus;
  error: ErrorInfo | null;
  terminal: ExecutionEvent;
  /** What a prompt still running at the end becomes. */
  runningBecomes: FinalPromptStatus;
}

/** The ending of a run stopped from outside (cancel, the cap, D1) or found dead after a restart. */
export function stopEnding(reason: StopReason, limitMs: number): Ending {
  const error = { code: reason.code, message: reason.message };
  if (reason.code === "canceled")
    return { status: "canceled", error: null, terminal: event("execution.canceled", {}), runningBecomes: "canceled" };
  if (reason.code === "timed_out")
    return {
      status: "timed_out",
      error,
      terminal: event("execution.timed_out", { limitMs }),
      runningBecomes: "failed",
    };
  return { status: "failed", error, terminal: event("execution.failed", { error }), runningBecomes: "failed" };
}

/** The ending of a run that returned, `durationMs` after it started. */
export function endingOf(result: RunResult, durationMs: number, limitMs: number): Ending {
  if (result.status === "completed")
    return {
      status: "completed",
      error: null,
      terminal: event("execution.completed", { durationMs, usage: result.usage, costMicros: result.costMicros }),
      runningBecomes: "failed",
    };
  if (result.status === "failed")
    return {
      status: "failed",
      error: result.error,
      terminal: event("execution.failed", { error: result.error }),
      runningBecomes: "failed",
    };
  return stopEnding(result.reason, limitMs);
}
