// Reads SSE responses with a spec-compliant parser (eventsource-parser), as a browser would.
import { createParser, type EventSourceMessage } from "eventsource-parser";
import type { ExecutionEvent, StoredEvent } from "../../src/events/types";

export interface SseRead {
  messages: EventSourceMessage[];
  comments: string[];
  retry: number | null;
  /** True when the server closed the stream; false when we stopped reading. */
  ended: boolean;
}

/**
 * Reads `response` until the server closes it, or until `stopWhen` says so (then the
 * connection is dropped, as a client that goes away would).
 */
export async function readSse(
  response: Response,
  stopWhen: (messages: EventSourceMessage[]) => boolean = () => false,
): Promise<SseRead> {
  const read: SseRead = { messages: [], comments: [], retry: null, ended: false };
  const parser = createParser({
    onEvent: (message) => read.messages.push(message),
    onComment: (comment) => read.comments.push(comment),
    onRetry: (retry) => (read.retry = retry),
  });
  if (!response.body) throw new Error(`no body (status ${response.status})`);
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  for (;;) {
    const { value, done } = await reader.read();
    if (done) {
      read.ended = true;
      return read;
    }
    parser.feed(decoder.decode(value, { stream: true }));
    if (stopWhen(read.messages)) {
      await reader.cancel();
      return read;
    }
  }
}

/** Named events as the typed union, with ids. */
export function toEvents(messages: readonly EventSourceMessage[]): StoredEvent[] {
  return messages.map(
    (message) => ({ id: Number(message.id), type: message.event, data: JSON.parse(message.data) }) as StoredEvent,
  );
}

/** Concatenated deltas per prompt id. */
export function outputsOf(events: readonly ExecutionEvent[]): Map<string, string> {
  const outputs = new Map<string, string>();
  for (const item of events)
    if (item.type === "prompt.delta")
      outputs.set(item.data.promptId, (outputs.get(item.data.promptId) ?? "") + item.data.delta);
  return outputs;
}

/**
 * Reads `response` in the background: `until` resolves once the messages so far satisfy a check
 * (to act mid-stream without dropping the connection), `ended` once the server closes it.
 */
export function tapSse(response: Response): {
  messages: EventSourceMessage[];
  until: (check: (messages: EventSourceMessage[]) => boolean) => Promise<void>;
  ended: Promise<SseRead>;
} {
  const messages: EventSourceMessage[] = [];
  const waiters: { check: (messages: EventSourceMessage[]) => boolean; resolve: () => void }[] = [];
  const settle = () => {
    for (const waiter of [...waiters]) {
      if (waiter.check(messages)) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve();
      }
    }
  };
  const ended = readSse(response, (seen) => {
    messages.splice(0, messages.length, ...seen);
    settle();
    return false;
  }).then((read) => {
    for (const waiter of waiters.splice(0)) waiter.resolve();
    return read;
  });
  const until = (check: (seen: EventSourceMessage[]) => boolean) =>
    new Promise<void>((resolve) => {
      waiters.push({ check, resolve });
      settle();
    });
  return { messages, until, ended };
}
