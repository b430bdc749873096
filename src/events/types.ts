// The execution event union (docs/events.md), one type shared by the server, the tests, the typed
// client and the page. Wire encodings live beside it: sse.ts (named events), legacy.ts (original frames).
import type { ToolCallStatus } from "../schemas/statuses";

export interface Usage {
  inputTokens: number;
  outputTokens: number;
}

/** An error as stored and as sent: a code and a human message. */
export interface ErrorInfo {
  code: string;
  message: string;
}

/** An error inside an event (the same shape as a stored one). */
export type EventError = ErrorInfo;

/** A tool call's arguments: the JSON object the model wrote, or its text when that was not a JSON object. */
export type ToolArguments = Record<string, unknown> | string;

/** Who decided a tool call: the user's id, `"timeout"` (APPROVAL_TIMEOUT_MS) or `"system"` (a limit). */
export type ToolDecisionBy = string;

/** A tool call as the record keeps it (per prompt `toolCalls`; the decision endpoint answers one). */
export interface ToolCallRecord {
  callId: string;
  /** `<server>.<tool>` or `assistant:<toolId>`. */
  name: string;
  /** As parsed from the model's JSON (the raw text when it was not JSON). */
  arguments: ToolArguments;
  status: ToolCallStatus;
  decision?: "approve" | "deny";
  decidedBy?: ToolDecisionBy;
  reason?: string;
  isError?: boolean;
  /** The tool's text result, whole. */
  output?: string;
  startedAt?: number;
  completedAt?: number;
  /** An `assistant:` call's nested execution (its own record: GET /api/executions/:id). */
  executionId?: string;
}

/** A call waiting for a person's decision (the record's top-level `pendingToolCalls`). */
export interface PendingToolCall {
  promptId: string;
  callId: string;
  name: string;
  arguments: ToolArguments;
}

export interface PromptSummary {
  id: string;
  name: string;
  position: number;
}

/** Every event an execution emits, keyed by its SSE event name. */
export interface ExecutionEventMap {
  /** A rerun names its source and the prompt it reran from (both null for a first run). */
  "execution.started": {
    executionId: string;
    /** Null for a draft run (an unsaved tool, the editor's "Try it"). */
    toolId: string | null;
    toolName: string;
    prompts: PromptSummary[];
    sourceExecutionId?: string | null;
    fromPromptId?: string | null;
  };
  "prompt.started": { promptId: string; name: string; position: number; model: string };
  "prompt.delta": { promptId: string; delta: string };
  /** `reused`: a rerun copied the output from its source execution (no model call, no deltas). */
  "prompt.completed": {
    promptId: string;
    output: string;
    durationMs: number;
    usage: Usage | null;
    /** Micro-dollars, every attempt included; null for a model without a price. */
    costMicros: number | null;
    reused?: true;
  };
  /** The prompt's output so far is discarded; attempt `attempt` (2, 3 …) begins. */
  "prompt.restarted": { promptId: string; attempt: number; reason: EventError };
  "prompt.failed": { promptId: string; error: EventError };
  /** An agent step's model asked for a tool call (arguments as parsed JSON, or the raw text). */
  "tool.called": { promptId: string; callId: string; name: string; arguments: ToolArguments };
  /** The call needs a person's decision: the execution and the prompt are `waiting` until it comes. */
  "tool.approval_requested": { promptId: string; callId: string; name: string; arguments: ToolArguments };
  "tool.decided": {
    promptId: string;
    callId: string;
    decision: "approve" | "deny";
    reason?: string;
    by: ToolDecisionBy;
  };
  /** `output`: the tool's text result, at most 16 KB here (whole in the record). */
  "tool.completed": {
    promptId: string;
    callId: string;
    isError: boolean;
    output: string;
    durationMs: number;
    /** A restart cut the call (it may or may not have taken effect); it is not run again. */
    interrupted?: true;
  };
  /** What the run has spent so far (estimated as tokens stream), at most once a second while it changes; `budgetMicros` null: no budget. */
  "execution.cost": { spentMicros: number; budgetMicros: number | null };
  /** `costMicros`: the sum of the prompts' costs (prompts without a price count nothing). */
  "execution.completed": { durationMs: number; usage: Usage; costMicros: number };
  "execution.failed": { error: EventError };
  "execution.canceled": Record<string, never>;
  "execution.timed_out": { limitMs: number };
}

export type ExecutionEventType = keyof ExecutionEventMap;

/** One event: a discriminated union on `type`. */
export type ExecutionEvent = { [K in ExecutionEventType]: { type: K; data: ExecutionEventMap[K] } }[ExecutionEventType];

/** An event with its position in the execution's log (1, 2, 3 …). */
export type StoredEvent = ExecutionEvent & { id: number };

export const TERMINAL_EVENT_TYPES = [
  "execution.completed",
  "execution.failed",
  "execution.canceled",
  "execution.timed_out",
] as const;
export type TerminalEvent = Extract<ExecutionEvent, { type: (typeof TERMINAL_EVENT_TYPES)[number] }>;

export const isTerminal = (event: ExecutionEvent): event is TerminalEvent =>
  (TERMINAL_EVENT_TYPES as readonly string[]).includes(event.type);

/** Builds an event with its data type checked against its name. */
export const event = <K extends ExecutionEventType>(type: K, data: ExecutionEventMap[K]): ExecutionEvent =>
  ({ type, data }) as ExecutionEvent;
