// Folds execution events into what a UI shows: per prompt, its status and text so far.
import type { EventError, StoredEvent, Usage } from "../events/types";

export type PromptStatus = "pending" | "running" | "completed" | "failed" | "canceled" | "skipped";
export type ExecutionStatus = "running" | "completed" | "failed" | "canceled" | "timed_out";

export interface PromptState {
  id: string;
  name: string;
  position: number;
  model: string | null;
  status: PromptStatus;
  output: string;
  error: EventError | null;
  durationMs: number | null;
  usage: Usage | null;
}

export interface ExecutionState {
  executionId: string;
  toolId: string;
  toolName: string;
  status: ExecutionStatus;
  prompts: PromptState[];
  error: EventError | null;
  durationMs: number | null;
  usage: Usage | null;
  /** The id to resume after. */
  lastEventId: number;
}

const ENDED: Record<string, ExecutionStatus> = {
  "execution.completed": "completed",
  "execution.failed": "failed",
  "execution.canceled": "canceled",
  "execution.timed_out": "timed_out",
};

function withPrompt(state: ExecutionState, promptId: string, change: (prompt: PromptState) => PromptState): ExecutionState {
  return { ...state, prompts: state.prompts.map((prompt) => (prompt.id === promptId ? change(prompt) : prompt)) };
}

/** The state after `event`; start from `null` with `execution.started`. Pure: returns a new object. */
export function foldEvent(state: ExecutionState | null, event: StoredEvent): ExecutionState | null {
  if (event.type === "execution.started") {
    return {
      executionId: event.data.executionId,
      toolId: event.data.toolId,
      toolName: event.data.toolName,
      status: "running",
      prompts: event.data.prompts.map((prompt) => ({ ...prompt, model: null, status: "pending", output: "", error: null, durationMs: null, usage: null })),
      error: null,
      durationMs: null,
      usage: null,
      lastEventId: event.id,
    };
  }
  if (!state) return null;
  const next: ExecutionState = { ...state, lastEventId: event.id };
  switch (event.type) {
    case "prompt.started":
      return withPrompt(next, event.data.promptId, (prompt) => ({ ...prompt, status: "running", model: event.data.model }));
    case "prompt.delta":
      return withPrompt(next, event.data.promptId, (prompt) => ({ ...prompt, output: prompt.output + event.data.delta }));
    case "prompt.completed":
      return withPrompt(next, event.data.promptId, (prompt) => ({ ...prompt, status: "completed", output: event.data.output, durationMs: event.data.durationMs, usage: event.data.usage }));
    case "prompt.failed":
      return withPrompt(next, event.data.promptId, (prompt) => ({ ...prompt, status: "failed", error: event.data.error }));
    default: {
      const status = ENDED[event.type] ?? "failed";
      const ended = {
        ...next,
        status,
        error: event.type === "execution.failed" ? event.data.error : null,
        durationMs: event.type === "execution.completed" ? event.data.durationMs : null,
        usage: event.type === "execution.completed" ? event.data.usage : null,
      };
      const leftover: PromptStatus = status === "canceled" ? "canceled" : "failed";
      return { ...ended, prompts: ended.prompts.map((prompt) => (prompt.status === "pending" ? { ...prompt, status: "skipped" } : prompt.status === "running" ? { ...prompt, status: leftover } : prompt)) };
    }
  }
}
