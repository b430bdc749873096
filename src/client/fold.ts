// Folds execution events into what a UI shows: per prompt, its status, text so far and tool calls.
import type { EventError, StoredEvent, Usage } from "../events/types";
import type { FinalExecutionStatus, PromptResultStatus, ExecutionStatus as RecordedStatus } from "../schemas/statuses";
import { foldToolCalls, isWaiting, settleToolCalls, type ToolCallState } from "./fold-tools";

export type { ToolCallState } from "./fold-tools";

export type PromptStatus = PromptResultStatus;
/** What a followed execution can be: it has started, so never `pending`. */
export type ExecutionStatus = Exclude<RecordedStatus, "pending">;

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
  /** Micro-dollars, all attempts (null: the model has no price); known when the prompt completes. */
  costMicros: number | null;
  /** 1 for the first attempt; a restart discards the output so far and counts up. */
  attempt: number;
  /** Why the current attempt began again, while it runs (null for a first attempt). */
  restartedBecause: EventError | null;
  /** A rerun copied this prompt's output from its source (no model call). */
  reused: boolean;
  /** An agent step's tool calls in call order (empty for an ordinary prompt). */
  toolCalls: ToolCallState[];
}

/**
 * `status` is `waiting` while any tool call of the execution waits for a person's decision (its prompt is
 * `waiting` too), and `running` again once none does.
 */
export interface ExecutionState {
  executionId: string;
  /** Null for a draft run (an unsaved tool, the editor's "Try it"). */
  toolId: string | null;
  toolName: string;
  status: ExecutionStatus;
  prompts: PromptState[];
  error: EventError | null;
  durationMs: number | null;
  usage: Usage | null;
  /** Micro-dollars spent so far (from `execution.cost`, then the final figure), and the budget (null: none). */
  spentMicros: number;
  budgetMicros: number | null;
  /** The id to resume after. */
  lastEventId: number;
}

function withPrompt(
  state: ExecutionState,
  promptId: string,
  change: (prompt: PromptState) => PromptState,
): ExecutionState {
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
      prompts: event.data.prompts.map((prompt) => ({
        ...prompt,
        model: null,
        status: "pending",
        output: "",
        error: null,
        durationMs: null,
        usage: null,
        costMicros: null,
        attempt: 0,
        restartedBecause: null,
        reused: false,
        toolCalls: [],
      })),
      error: null,
      durationMs: null,
      usage: null,
      spentMicros: 0,
      budgetMicros: null,
      lastEventId: event.id,
    };
  }
  if (!state) return null;
  const next: ExecutionState = { ...state, lastEventId: event.id };
  switch (event.type) {
    case "prompt.started":
      // A prompt's output is its deltas after its last prompt.started or prompt.restarted.
      return withWaiting(
        withPrompt(next, event.data.promptId, (prompt) => ({
          ...prompt,
          status: "running",
          model: event.data.model,
          output: "",
          attempt: 1,
          restartedBecause: null,
        })),
      );
    case "prompt.restarted":
      // An agent step's calls stay: their results are stored and never asked for again (SPEC §12).
      return withWaiting(
        withPrompt(next, event.data.promptId, (prompt) => ({
          ...prompt,
          status: "running",
          output: "",
          attempt: event.data.attempt,
          restartedBecause: event.data.reason,
        })),
      );
    case "prompt.delta":
      return withPrompt(next, event.data.promptId, (prompt) => ({
        ...prompt,
        output: prompt.output + event.data.delta,
      }));
    case "prompt.completed":
      return withWaiting(
        withPrompt(next, event.data.promptId, (prompt) => ({
          ...prompt,
          status: "completed",
          output: event.data.output,
          durationMs: event.data.durationMs,
          usage: event.data.usage,
          costMicros: event.data.costMicros,
          reused: event.data.reused === true,
          toolCalls: settleToolCalls(prompt.toolCalls),
        })),
      );
    case "prompt.failed":
      return withWaiting(
        withPrompt(next, event.data.promptId, (prompt) => ({
          ...prompt,
          status: "failed",
          error: event.data.error,
          toolCalls: settleToolCalls(prompt.toolCalls),
        })),
      );
    case "execution.cost":
      return { ...next, spentMicros: event.data.spentMicros, budgetMicros: event.data.budgetMicros };
    case "execution.completed":
      return ended({ ...next, spentMicros: event.data.costMicros }, "completed", {
        durationMs: event.data.durationMs,
        usage: event.data.usage,
      });
    case "execution.failed":
      return ended(next, "failed", { error: event.data.error });
    case "execution.canceled":
      return ended(next, "canceled", {});
    case "execution.timed_out":
      return ended(next, "timed_out", {});
    case "tool.called":
    case "tool.approval_requested":
    case "tool.decided":
    case "tool.completed":
      return withWaiting(
        withPrompt(next, event.data.promptId, (prompt) => ({
          ...prompt,
          toolCalls: foldToolCalls(prompt.toolCalls, event),
        })),
      );
    default:
      // A new event type is a compile error here until it is handled.
      return event satisfies never;
  }
}

const LIVE: ReadonlySet<PromptStatus> = new Set(["running", "waiting"]);

/**
 * The statuses the tool calls imply: a live prompt with a call waiting is `waiting`, without one
 * `running`; the execution, while it has not ended, is `waiting` when any prompt is.
 */
function withWaiting(state: ExecutionState): ExecutionState {
  const prompts = state.prompts.map((prompt): PromptState => {
    if (!LIVE.has(prompt.status)) return prompt;
    const status = prompt.toolCalls.some(isWaiting) ? "waiting" : "running";
    return status === prompt.status ? prompt : { ...prompt, status };
  });
  const waiting = prompts.some((prompt) => prompt.status === "waiting");
  const status =
    state.status === "running" || state.status === "waiting" ? (waiting ? "waiting" : "running") : state.status;
  return { ...state, status, prompts };
}

/**
 * The execution ended: prompts never started are skipped, running or waiting ones end with it, and
 * their calls settle (`settleToolCalls`: a waiting call ends denied, a running one interrupted).
 */
function ended(
  state: ExecutionState,
  status: FinalExecutionStatus,
  end: Partial<Pick<ExecutionState, "error" | "durationMs" | "usage">>,
): ExecutionState {
  const leftover: PromptStatus = status === "canceled" ? "canceled" : "failed";
  const prompts = state.prompts.map((prompt): PromptState => {
    const toolCalls = settleToolCalls(prompt.toolCalls);
    if (prompt.status === "pending") return { ...prompt, status: "skipped", toolCalls };
    return { ...prompt, status: LIVE.has(prompt.status) ? leftover : prompt.status, toolCalls };
  });
  return {
    ...state,
    status,
    error: end.error ?? null,
    durationMs: end.durationMs ?? null,
    usage: end.usage ?? null,
    prompts,
  };
}
