// The Durable Object's persisted view of its run: enough to finish the records after a restart.
import type { ErrorInfo } from "../events/types";
import type { ExecutionStatus, PromptResultStatus } from "../schemas/statuses";
import type { ExecutionPlan } from "./plan";
import type { ExecutionSnapshot } from "../db/execution-records";
import type { FinalExecutionStatus } from "../schemas/statuses";
import type { Usage } from "../events/types";

export interface PromptState {
  status: PromptResultStatus;
  startedAt: number | null;
  completedAt: number | null;
  usage: Usage | null;
  error: ErrorInfo | null;
}

export interface SessionState {
  plan: ExecutionPlan;
  status: ExecutionStatus;
  startedAt: number;
  /** When the MAX_EXECUTION_MS cap is reached. */
  deadline: number;
  limitMs: number;
  cancelRequested: boolean;
  prompts: Record<string, PromptState>;
  finishedAt: number | null;
  error: ErrorInfo | null;
  /** Id of the terminal event once it is in the log. */
  terminalEventId: number | null;
  /** D1 missed a write: the whole final state must be written when D1 answers again. */
  owesSnapshot: boolean;
}

export function initialState(plan: ExecutionPlan, now: number, limitMs: number): SessionState {
  const pending: PromptState = { status: "pending", startedAt: null, completedAt: null, usage: null, error: null };
  return {
    plan,
    status: "running",
    startedAt: now,
    deadline: now + limitMs,
    limitMs,
    cancelRequested: false,
    prompts: Object.fromEntries(plan.prompts.map((prompt) => [prompt.id, { ...pending }])),
    finishedAt: null,
    error: null,
    terminalEventId: null,
    owesSnapshot: false,
  };
}

/** The final records to write to D1, with outputs taken from the event log. */
export function snapshotOf(state: SessionState, outputs: ReadonlyMap<string, string>): ExecutionSnapshot {
  return {
    status: state.status as FinalExecutionStatus,
    error: state.error,
    startedAt: state.startedAt,
    completedAt: state.finishedAt ?? Date.now(),
    prompts: state.plan.prompts.map((prompt) => {
      const promptState = state.prompts[prompt.id];
      const status = promptState?.status ?? "skipped";
      return {
        promptId: prompt.id,
        status: status === "pending" || status === "running" ? "skipped" : status,
        output: outputs.get(prompt.id) ?? "",
        error: promptState?.error ?? null,
        startedAt: promptState?.startedAt ?? null,
        completedAt: promptState?.completedAt ?? state.finishedAt ?? Date.now(),
        usage: promptState?.usage ?? null,
      };
    }),
  };
}
