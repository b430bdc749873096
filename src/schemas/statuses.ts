// The lifecycle of an execution and of each prompt result (docs/api.md, "Executions").

/** `waiting`: an agent step waits for a person's decision on a tool call (no model call, no slot held). */
export const EXECUTION_STATUSES = [
  "pending",
  "running",
  "waiting",
  "completed",
  "failed",
  "canceled",
  "timed_out",
] as const;
export type ExecutionStatus = (typeof EXECUTION_STATUSES)[number];

/** `skipped`: never started because the execution ended first. */
export const PROMPT_RESULT_STATUSES = [
  "pending",
  "running",
  "waiting",
  "completed",
  "failed",
  "canceled",
  "skipped",
] as const;
export type PromptResultStatus = (typeof PROMPT_RESULT_STATUSES)[number];

/** How an execution ended. */
export type FinalExecutionStatus = Exclude<ExecutionStatus, "pending" | "running" | "waiting">;
/** How a prompt result ended. */
export type FinalPromptStatus = Exclude<PromptResultStatus, "pending" | "running" | "waiting">;

/** A tool call of an agent step (SPEC §12). */
export const TOOL_CALL_STATUSES = ["waiting", "running", "completed", "failed", "denied", "interrupted"] as const;
export type ToolCallStatus = (typeof TOOL_CALL_STATUSES)[number];
