// The lifecycle of an execution and of each prompt result (docs/api.md, "Executions").

export const EXECUTION_STATUSES = ["pending", "running", "completed", "failed", "canceled", "timed_out"] as const;
export type ExecutionStatus = (typeof EXECUTION_STATUSES)[number];

/** `skipped`: never started because the execution ended first. */
export const PROMPT_RESULT_STATUSES = ["pending", "running", "completed", "failed", "canceled", "skipped"] as const;
export type PromptResultStatus = (typeof PROMPT_RESULT_STATUSES)[number];

/** How an execution ended. */
export type FinalExecutionStatus = Exclude<ExecutionStatus, "pending" | "running">;
/** How a prompt result ended. */
export type FinalPromptStatus = Exclude<PromptResultStatus, "pending" | "running">;
