// What a prompt would send to its model, reduced to a hash: a rerun reuses a prompt's output only
// when the request it would send now is the one its source sent (same model, system context,
// rendered content and parameters).
import type { ChatRequest } from "../models/types";

/** Hex SHA-256 of the request's model, system context, content, temperature and max tokens. */
export async function requestHash(request: ChatRequest): Promise<string> {
  const canonical = JSON.stringify([
    request.model,
    request.systemContext,
    request.prompt,
    request.temperature,
    request.maxTokens,
  ]);
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(canonical));
  return [...new Uint8Array(digest)].map((byte) => byte.toString(16).padStart(2, "0")).join("");
}
