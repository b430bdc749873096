// One subscriber's SSE stream, pulled by the client: events are read from the log only when the
// client is ready, so a slow or vanished client never makes the object buffer. Pings while idle;
// the connection closes at its time cap or after the terminal event, and is released either way.

import { encodeLegacyEvent, type LegacyContext } from "../events/legacy";
import { encodeEvent, PING, retryLine, type StreamFormat } from "../events/sse";
import type { StoredEvent } from "../events/types";
import { type QuietWatch, watchQuiet } from "../lib/quiet-watch";

/** Wakes waiting subscribers when the log grows. */
export class ChangeNotifier {
  private readonly waiters = new Set<() => void>();

  /** Resolves true on the next change, or false when `expire` is called first. */
  wait(): { promise: Promise<boolean>; cancel: () => void; expire: () => void } {
    let settle: (changed: boolean) => void = () => {};
    const promise = new Promise<boolean>((resolve) => {
      const wake = () => settle(true);
      settle = (changed) => {
        this.waiters.delete(wake);
        resolve(changed);
      };
      this.waiters.add(wake);
    });
    return { promise, cancel: () => settle(true), expire: () => settle(false) };
  }

  notify(): void {
    for (const wake of [...this.waiters]) wake();
  }

  get waiting(): number {
    return this.waiters.size;
  }
}

export interface EventSourceView {
  read(afterId: number): StoredEvent[];
  /** True once the terminal event is in the log. */
  finished(): boolean;
  notifier: ChangeNotifier;
}

/** How soon a client reconnects after the server closes (the `retry:` hint). */
export const STREAM_RETRY_MS = 2_000;
/** A `: ping` goes out when nothing else has for this long. */
export const PING_INTERVAL_MS = 10_000;

export interface EventStreamOptions {
  afterId: number;
  format: StreamFormat;
  legacy: LegacyContext;
  /** Default STREAM_RETRY_MS. */
  retryMs?: number;
  /** Default PING_INTERVAL_MS. */
  pingIntervalMs?: number;
  maxConnectionMs: number;
  onRelease: () => void;
}

/** A ReadableStream of SSE bytes following the log from `afterId`. */
export function createEventStream(source: EventSourceView, options: EventStreamOptions): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  const encode = (event: StoredEvent) =>
    options.format === "legacy" ? encodeLegacyEvent(event, options.legacy) : encodeEvent(event);
  let cursor = options.afterId;
  let released = false;
  let pendingWait: { cancel: () => void; expire: () => void } | undefined;
  let capTimer: ReturnType<typeof setTimeout> | undefined;
  let pingWatch: QuietWatch | undefined;
  let streamController: ReadableStreamDefaultController<Uint8Array> | undefined;
  // The retry hint rides in the first block rather than alone: some clients treat a data-less block as a message.
  let prefix = retryLine(options.retryMs ?? STREAM_RETRY_MS).slice(0, -1);
  const send = (controller: ReadableStreamDefaultController<Uint8Array>, text: string) => {
    controller.enqueue(encoder.encode(prefix + text));
    prefix = "";
    pingWatch?.touch();
  };

  const release = () => {
    if (released) return;
    released = true;
    clearTimeout(capTimer);
    pingWatch?.stop();
    pendingWait?.cancel();
    options.onRelease();
  };
  const close = () => {
    release();
    try {
      streamController?.close();
    } catch {
      // Already closed or errored by the consumer: nothing left to do.
    }
  };

  return new ReadableStream<Uint8Array>(
    {
      start(controller) {
        streamController = controller;
        capTimer = setTimeout(close, options.maxConnectionMs);
        // A ping goes out while the client waits on a quiet log; a client that is not reading gets none.
        pingWatch = watchQuiet(options.pingIntervalMs ?? PING_INTERVAL_MS, () => pendingWait?.expire());
      },
      async pull(controller) {
        while (!released) {
          const events = source.read(cursor);
          if (events.length > 0) {
            send(controller, events.map(encode).join(""));
            const last = events[events.length - 1];
            if (last) cursor = last.id;
            return;
          }
          if (source.finished()) return close();
          const wait = source.notifier.wait();
          pendingWait = wait;
          const changed = await wait.promise;
          pendingWait = undefined;
          if (released) return;
          if (!changed) {
            send(controller, PING);
            return;
          }
        }
      },
      cancel() {
        release();
      },
    },
    { highWaterMark: 0 },
  );
}
