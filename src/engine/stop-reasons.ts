// Why a run stops from outside its chain, each message written once.

/** Passed as the run's AbortSignal reason, and recorded as the error of what it stopped. */
export interface StopReason {
  code: "canceled" | "timed_out" | "database_unavailable" | "budget_exceeded";
  message: string;
}

export const canceledByUser = (): StopReason => ({ code: "canceled", message: "Canceled by the user" });

export const timedOut = (limitMs: number): StopReason => ({
  code: "timed_out",
  message: `The execution exceeded its ${limitMs} ms limit`,
});

/** The owner's daily budget could not be checked: spending is never left unchecked. */
export const budgetUnavailable = (): StopReason => ({
  code: "database_unavailable",
  message: "The daily budget could not be checked, so the execution was stopped",
});

/** The run would pass its budget (`budgetMicros`), or the owner's daily budget is used up (null). */
export const budgetExceeded = (budgetMicros: number | null): StopReason => ({
  code: "budget_exceeded",
  message:
    budgetMicros === null
      ? "Your daily budget is used up, so the model was stopped; it renews at 00:00 UTC"
      : `The execution would pass its budget of ${budgetMicros} micro-dollars, so the model was stopped`,
});

export const isStopReason = (value: unknown): value is StopReason =>
  typeof value === "object" && value !== null && "code" in value && "message" in value;

/** The reason an aborted signal carries (a bare abort reads as a cancel). */
export const stopReasonOf = (signal: AbortSignal): StopReason =>
  isStopReason(signal.reason) ? signal.reason : canceledByUser();
