// The named SSE encoding of events (docs/events.md): `id`, `event`, one line of JSON `data`.
import type { StoredEvent } from "./types";

/** Which encoding a stream speaks. */
export type StreamFormat = "events" | "legacy";

/** `retry:` hint: how soon a browser reconnects after the server closes the stream. */
export const retryLine = (ms: number): string => `retry: ${ms}\n\n`;
export const PING = ": ping\n\n";

/** `id`, `event`, `data` lines; JSON keeps `data` on one line whatever the text holds. */
export function encodeEvent(stored: StoredEvent): string {
  return `id: ${stored.id}\nevent: ${stored.type}\ndata: ${JSON.stringify(stored.data)}\n\n`;
}
