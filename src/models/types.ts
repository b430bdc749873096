// What the engine needs from a model: a cancellable stream of text deltas, the tool calls a turn asks
// for, and, at the end, usage.
import type { Usage } from "../events/types";

/** A function the model may call (OpenAI-compatible `tools`): `parameters` is the tool's JSON Schema. */
export interface ToolDefinition {
  name: string;
  description: string;
  parameters: Record<string, unknown>;
}

/** One function call the model asked for: `arguments` is the JSON text it wrote, unparsed and unchecked. */
export interface ToolCall {
  id: string;
  name: string;
  arguments: string;
}

/** One turn of a conversation with tools; `tool` turns answer the assistant's calls by `toolCallId`. */
export type ChatMessage =
  | { role: "system"; content: string }
  | { role: "user"; content: string }
  | { role: "assistant"; content: string | null; toolCalls?: ToolCall[] }
  | { role: "tool"; toolCallId: string; content: string };

export interface ChatRequest {
  model: string;
  systemContext: string | null;
  prompt: string;
  temperature: number | null;
  /** The prompt's own limit on output tokens. */
  maxTokens: number | null;
  /** What the run's budgets let this call produce (set per call, never part of the request's hash). */
  outputTokenLimit?: number | null;
  /** Functions the model may call (an agent step). */
  tools?: ToolDefinition[];
  /** The whole conversation so far; when present it is sent instead of `systemContext` and `prompt`. */
  messages?: ChatMessage[];
}

/** The output bound a call sends: the lower of the prompt's own and its budget's (null: none). */
export function outputBound(request: ChatRequest): number | null {
  const limits = [request.maxTokens, request.outputTokenLimit ?? null].filter((limit) => limit !== null);
  return limits.length === 0 ? null : Math.min(...limits);
}

/**
 * A text delta, the provider's usage, the turn's tool calls, or how the answer finished (`stop`,
 * `length` when it reached the output bound, `tool_calls`, …), which comes last when the endpoint says it.
 */
export type ModelChunk =
  | { type: "delta"; text: string }
  | { type: "usage"; usage: Usage }
  /** Once per turn, when it finishes with calls: every call, its arguments whole. */
  | { type: "tool_calls"; calls: ToolCall[] }
  | { type: "finish"; reason: string };

/** A model endpoint. `stream` must stop promptly when `signal` aborts. */
export interface ModelClient {
  stream(request: ChatRequest, signal: AbortSignal): AsyncIterable<ModelChunk>;
}

export type ModelErrorCode = "model_error" | "model_timeout" | "model_unavailable" | "model_bad_response";

/** A model call that failed, with whether trying again could help and how soon the server asked. */
export class ModelError extends Error {
  constructor(
    readonly code: ModelErrorCode,
    message: string,
    readonly retryable = false,
    readonly retryAfterMs?: number,
  ) {
    super(message);
    this.name = "ModelError";
  }
}
