// The execution event union (SPEC §6), shared by server, tests and clients, and its two wire encodings:
// named SSE events, and the original endpoint's unnamed `{"type": ...}` frames (SPEC §5).

export interface Usage {
  inputTokens: number;
  outputTokens: number;
}

export interface EventError {
  code: string;
  message: string;
}

export interface PromptSummary {
  id: string;
  name: string;
  position: number;
}

/** Every event an execution emits, keyed by its SSE event name. */
export interface ExecutionEventMap {
  "execution.started": { executionId: string; toolId: string; toolName: string; prompts: PromptSummary[] };
  "prompt.started": { promptId: string; name: string; position: number; model: string };
  "prompt.delta": { promptId: string; delta: string };
  "prompt.completed": { promptId: string; output: string; durationMs: number; usage: Usage | null };
  "prompt.failed": { promptId: string; error: EventError };
  "execution.completed": { durationMs: number; usage: Usage };
  "execution.failed": { error: EventError };
  "execution.canceled": Record<string, never>;
  "execution.timed_out": { limitMs: number };
}

export type ExecutionEventType = keyof ExecutionEventMap;

/** One event: a discriminated union on `type`. */
export type ExecutionEvent = { [K in ExecutionEventType]: { type: K; data: ExecutionEventMap[K] } }[ExecutionEventType];

/** An event with its position in the execution's log (1, 2, 3 …). */
export type StoredEvent = ExecutionEvent & { id: number };

export const TERMINAL_EVENT_TYPES = ["execution.completed", "execution.failed", "execution.canceled", "execution.timed_out"] as const;
export type TerminalEvent = Extract<ExecutionEvent, { type: (typeof TERMINAL_EVENT_TYPES)[number] }>;

export const isTerminal = (event: ExecutionEvent): event is TerminalEvent =>
  (TERMINAL_EVENT_TYPES as readonly string[]).includes(event.type);

/** Builds an event with its data type checked against its name. */
export const event = <K extends ExecutionEventType>(type: K, data: ExecutionEventMap[K]): ExecutionEvent =>
  ({ type, data }) as ExecutionEvent;

/** Which encoding a stream speaks. */
export type StreamFormat = "events" | "legacy";

/** `retry:` hint: how soon a browser reconnects after the server closes the stream. */
export const retryLine = (ms: number): string => `retry: ${ms}\n\n`;
export const PING = ": ping\n\n";

/** `id`, `event`, `data` lines; JSON keeps `data` on one line whatever the text holds. */
export function encodeEvent(stored: StoredEvent): string {
  return `id: ${stored.id}\nevent: ${stored.type}\ndata: ${JSON.stringify(stored.data)}\n\n`;
}

/** What the original frames need beyond one event: prompt order and the tool's name. */
export interface LegacyContext {
  executionId: string;
  toolName: string;
  /** Prompt ids in run order; the index is the original `promptIndex`. */
  promptIds: string[];
  /** Prompts that were running when the execution was canceled (read when the end is encoded). */
  canceledPromptIds: () => readonly string[];
}

/** The `prompt_error` text of a prompt stopped by a cancel. */
export const CANCELED_PROMPT_MESSAGE = "Canceled by the user before this prompt finished";

type LegacyFrame = { type: string } & Record<string, unknown>;

function legacyFrame(stored: StoredEvent, context: LegacyContext): LegacyFrame {
  const promptIndex = (promptId: string) => context.promptIds.indexOf(promptId);
  switch (stored.type) {
    case "execution.started":
      return { type: "metadata", totalPrompts: stored.data.prompts.length, toolName: stored.data.toolName };
    case "prompt.started":
      return { type: "prompt_start", promptIndex: promptIndex(stored.data.promptId), promptId: stored.data.promptId, modelName: stored.data.model };
    case "prompt.delta":
      return { type: "token", promptIndex: promptIndex(stored.data.promptId), token: stored.data.delta };
    case "prompt.completed":
      return { type: "prompt_complete", promptIndex: promptIndex(stored.data.promptId), result: stored.data.output };
    case "prompt.failed":
      return { type: "prompt_error", promptIndex: promptIndex(stored.data.promptId), error: stored.data.error.message };
    case "execution.completed":
      return { type: "complete", executionId: context.executionId };
    case "execution.failed":
      return { type: "error", error: stored.data.error.message, code: stored.data.error.code };
    case "execution.canceled":
      return { type: "error", error: "Execution canceled", code: "canceled" };
    case "execution.timed_out":
      return { type: "error", error: `Execution timed out after ${stored.data.limitMs} ms`, code: "timed_out" };
  }
}

/**
 * The original endpoint's frames for one event: unnamed, `data: {"type": ...}`, with `id:` for resume.
 * A cancel first closes each prompt it stopped with a `prompt_error` (timeouts and failures already
 * sent one), so an original client never leaves a panel running. Those frames belong to the final one
 * and carry no id: a client resuming from before the end receives them again with it.
 */
export function encodeLegacyEvent(stored: StoredEvent, context: LegacyContext): string {
  const closing =
    stored.type === "execution.canceled"
      ? context
          .canceledPromptIds()
          .map((promptId) => `data: ${JSON.stringify({ type: "prompt_error", promptIndex: context.promptIds.indexOf(promptId), error: CANCELED_PROMPT_MESSAGE })}\n\n`)
          .join("")
      : "";
  return `${closing}id: ${stored.id}\ndata: ${JSON.stringify(legacyFrame(stored, context))}\n\n`;
}
