// What the engine needs from a model: a cancellable stream of text deltas and, at the end, usage.
import type { Usage } from "../events/types";

export interface ChatRequest {
  model: string;
  systemContext: string | null;
  prompt: string;
  temperature: number | null;
  maxTokens: number | null;
}

export type ModelChunk = { type: "delta"; text: string } | { type: "usage"; usage: Usage };

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
