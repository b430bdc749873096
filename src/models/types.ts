// What the engine needs from a model: a cancellable stream of text deltas and, at the end, usage.
import type { Usage } from "../events/types";

export interface ChatRequest {
  model: string;
  systemContext: string | null;
  prompt: string;
  temperature: number | null;
  /** The prompt's own limit on output tokens. */
  maxTokens: number | null;
  /** What the run's budgets let this call produce (set per call, never part of the request's hash). */
  outputTokenLimit?: number | null;
}

/** The output bound a call sends: the lower of the prompt's own and its budget's (null: none). */
export function outputBound(request: ChatRequest): number | null {
  const limits = [request.maxTokens, request.outputTokenLimit ?? null].filter((limit) => limit !== null);
  return limits.length === 0 ? null : Math.min(...limits);
}

/**
 * A text delta, the provider's usage, or how the answer finished (`stop`, `length` when it reached
 * the output bound, …), which comes last when the endpoint says it.
 */
export type ModelChunk =
  | { type: "delta"; text: string }
  | { type: "usage"; usage: Usage }
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
