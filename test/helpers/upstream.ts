// Scripts the loopback model server from inside tests, and reads back what it saw.
import { env } from "cloudflare:workers";
import type { ScriptedToolCall, UpstreamAttempt, UpstreamRequestRecord } from "../upstream/scripts";

export const upstreamOrigin = (): string => new URL(env.OPENAI_BASE_URL).origin;

/** Registers a script under a fresh model name; use that name as the prompt's model. */
export function scriptModel(...attempts: UpstreamAttempt[]): Promise<string> {
  return scriptUpstreamName(`scripted-${crypto.randomUUID()}`, attempts);
}

/**
 * Scripts the name a catalogue entry sends upstream (`priced-N-upstream`), replacing its script:
 * one test file owns each such name (vitest.config.ts).
 */
export async function scriptUpstreamName(model: string, attempts: UpstreamAttempt[]): Promise<string> {
  const response = await fetch(`${upstreamOrigin()}/__scripts`, {
    method: "POST",
    body: JSON.stringify({ model, attempts }),
  });
  if (response.status !== 201) throw new Error(`could not script the upstream: ${response.status}`);
  return model;
}

/** A stream attempt answering `text` in chunks of `size` characters. */
export function streamOf(
  text: string,
  size = 4,
  extra: Partial<Extract<UpstreamAttempt, { kind: "stream" }>> = {},
): UpstreamAttempt {
  const chunks: string[] = [];
  for (let i = 0; i < text.length; i += size) chunks.push(text.slice(i, i + size));
  return { kind: "stream", chunks, ...extra };
}

/**
 * A stream attempt that asks for `calls` (after `text`, if any), each call's arguments sent in pieces of
 * `size` characters; `interleave` sends the calls' pieces round robin.
 */
export function toolCallsOf(
  calls: { id?: string; name: string; arguments: string }[],
  options: { text?: string; size?: number; interleave?: boolean } = {},
): UpstreamAttempt {
  const size = options.size ?? 5;
  const toolCalls: ScriptedToolCall[] = calls.map((call) => {
    const pieces: string[] = [];
    for (let i = 0; i < call.arguments.length; i += size) pieces.push(call.arguments.slice(i, i + size));
    return { ...call, arguments: pieces };
  });
  const text = options.text ? (streamOf(options.text) as Extract<UpstreamAttempt, { kind: "stream" }>).chunks : [];
  return { kind: "stream", chunks: text, toolCalls, interleaveToolCalls: options.interleave ?? false };
}

export async function upstreamRequests(model: string): Promise<UpstreamRequestRecord[]> {
  const response = await fetch(`${upstreamOrigin()}/__requests?model=${encodeURIComponent(model)}`);
  return (await response.json()) as UpstreamRequestRecord[];
}

/** Polls until `check` returns a value (for states the service reaches asynchronously). */
export async function waitFor<T>(
  check: () => Promise<T | undefined | null | false>,
  timeoutMs = 10_000,
  what = "condition",
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await scheduler.wait(20);
  }
}
