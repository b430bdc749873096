// How a run ends: its final status and error, what a still-running prompt becomes, and the terminal
// event that says so (built from the ended state, so it can be sent later, once the records are written).
import { type ErrorInfo, type ExecutionEvent, event, type Usage } from "../events/types";
import type { FinalExecutionStatus, FinalPromptStatus } from "../schemas/statuses";
import { type RunState, totalCost } from "./run-state";
import type { StopReason } from "./stop-reasons";

export interface Ending {
  status: FinalExecutionStatus;
  error: ErrorInfo | null;
  /** What a prompt still running at the end becomes. */
  runningBecomes: FinalPromptStatus;
}

export const COMPLETED: Ending = { status: "completed", error: null, runningBecomes: "failed" };

/** A prompt failed and the tool stops on failures. */
export const failedWith = (error: ErrorInfo): Ending => ({ status: "failed", error, runningBecomes: "failed" });

/** The ending of a run stopped from outside (cancel, the cap, a budget, D1). */
export function stopEnding(reason: StopReason): Ending {
  const error = { code: reason.code, message: reason.message };
  if (reason.code === "canceled") return { status: "canceled", error: null, runningBecomes: "canceled" };
  if (reason.code === "timed_out") return { status: "timed_out", error, runningBecomes: "failed" };
  return failedWith(error);
}

/** Usage summed over the run's prompts (each over its attempts). */
export function totalUsage(state: RunState): Usage {
  const usage = { inputTokens: 0, outputTokens: 0 };
  for (const prompt of Object.values(state.prompts)) {
    usage.inputTokens += prompt.usage?.inputTokens ?? 0;
    usage.outputTokens += prompt.usage?.outputTokens ?? 0;
  }
  return usage;
}

/** The event that ends an ended run's stream. */
export function terminalEvent(state: RunState): ExecutionEvent {
  const error = state.error ?? { code: "internal", message: "The execution did not complete" };
  switch (state.status) {
    case "completed":
      return event("execution.completed", {
        durationMs: (state.finishedAt ?? state.startedAt) - state.startedAt,
        usage: totalUsage(state),
        costMicros: totalCost(state),
      });
    case "canceled":
      return event("execution.canceled", {});
    case "timed_out":
      return event("execution.timed_out", { limitMs: state.limitMs });
    default:
      return event("execution.failed", { error });
  }
}
