// What an attempt's failure means: whether another attempt may help, and what is recorded of it.
import type { ErrorInfo, Usage } from "../events/types";
import { ModelError } from "../models/types";

/** What a restart of the object says to a client about the prompt it cut. */
export const INTERRUPTED_REASON: ErrorInfo = {
  code: "interrupted",
  message: "The run was interrupted (its worker restarted); this prompt starts again",
};

export function failureOf(error: unknown): ErrorInfo {
  if (error instanceof ModelError) return { code: error.code, message: error.message };
  return { code: "internal", message: "The prompt failed unexpectedly" };
}

/** 429, 5xx, a cut connection or an idle timeout: worth another attempt. A 4xx refusal is not. */
export const isTransient = (error: unknown): error is ModelError =>
  error instanceof ModelError && (error.retryable || error.code === "model_timeout");

export const addUsage = (total: Usage | null, more: Usage): Usage => ({
  inputTokens: (total?.inputTokens ?? 0) + more.inputTokens,
  outputTokens: (total?.outputTokens ?? 0) + more.outputTokens,
});
