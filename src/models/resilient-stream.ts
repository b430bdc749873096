// Wraps a model stream with the service's policy: retry 429/5xx/network before the first token
// with backoff, fail the prompt when no token arrives for the idle timeout, stop on abort.
import { abortableSleep } from "../lib/abortable-sleep";
import { watchQuiet } from "../lib/quiet-watch";
import { type ChatRequest, type ModelChunk, type ModelClient, ModelError } from "./types";

export interface ResilienceOptions {
  signal: AbortSignal;
  idleTimeoutMs: number;
  /** Total attempts, first included. */
  maxAttempts?: number;
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** Called before each retry (for logs and tests). */
  onRetry?: (attempt: number, error: ModelError, delayMs: number) => void;
}

const IDLE = Symbol("idle");

/** The wait before retry `attempt` (1, 2 …): exponential with jitter, at least what the server asked for. */
export function backoff(attempt: number, retryAfterMs: number | undefined, base: number, max: number): number {
  const exponential = base * 2 ** (attempt - 1);
  const jittered = exponential / 2 + Math.random() * (exponential / 2);
  return Math.min(max, Math.max(retryAfterMs ?? 0, jittered));
}

/** One attempt; aborts the request when no chunk came for `idleTimeoutMs`. */
async function* attemptStream(
  model: ModelClient,
  request: ChatRequest,
  outer: AbortSignal,
  idleTimeoutMs: number,
): AsyncGenerator<ModelChunk> {
  const controller = new AbortController();
  const forward = () => controller.abort(outer.reason);
  outer.addEventListener("abort", forward, { once: true });
  const idle = watchQuiet(idleTimeoutMs, () => controller.abort(IDLE));
  try {
    for await (const chunk of model.stream(request, controller.signal)) {
      idle.touch();
      yield chunk;
    }
    // The openai SDK ends its iterator quietly when aborted: an aborted stream is not a finished one.
    if (controller.signal.aborted) throw controller.signal.reason;
  } catch (error) {
    if (outer.aborted) throw outer.reason;
    if (controller.signal.reason === IDLE) {
      throw new ModelError("model_timeout", `No token from the model for ${idleTimeoutMs} ms`);
    }
    throw error;
  } finally {
    idle.stop();
    outer.removeEventListener("abort", forward);
    if (!controller.signal.aborted) controller.abort("done");
  }
}

/** Streams `request` from `model` under the retry, idle-timeout and abort policy. */
export async function* resilientStream(
  model: ModelClient,
  request: ChatRequest,
  options: ResilienceOptions,
): AsyncGenerator<ModelChunk> {
  const maxAttempts = options.maxAttempts ?? 4;
  for (let attempt = 1; ; attempt++) {
    let receivedText = false;
    try {
      for await (const chunk of attemptStream(model, request, options.signal, options.idleTimeoutMs)) {
        // Text or tool calls handed on cannot be taken back by a retry; usage alone can.
        if (chunk.type !== "usage") receivedText = true;
        yield chunk;
      }
      return;
    } catch (error) {
      const retry =
        error instanceof ModelError &&
        error.retryable &&
        !receivedText &&
        attempt < maxAttempts &&
        !options.signal.aborted;
      if (!retry) throw error;
      const delay = backoff(attempt, error.retryAfterMs, options.baseDelayMs ?? 250, options.maxDelayMs ?? 8_000);
      options.onRetry?.(attempt, error, delay);
      await abortableSleep(delay, options.signal);
    }
  }
}
