// The systems side by side: each starts a run on the scripted upstream and lets readers follow it.
// A reader given `from` resumes where an earlier one left off, the way that system's docs say.
import { randomUUID } from "node:crypto";
import { stream as readStream } from "@durable-streams/client";
import type { EventSourceMessage } from "eventsource-parser";
import { countedAs, countersOf } from "../cases.ts";
import type { BenchClient } from "../client.ts";
import { newUser } from "../client.ts";
import { Receipt } from "./receipt.ts";
import { type FrameMeaning, openSse } from "./sse-follow.ts";

export interface FollowOptions {
  /** Resume from this reader's cursor; absent: from the start. */
  from?: Receipt;
  /** Drop the connection once this many characters of text have arrived. */
  stopAfterChars?: number;
}

/** A started run: its id, and the starting connection's reading, done when that reader stops. */
export interface Started {
  run: string;
  receipt: Promise<Receipt>;
}

export interface System {
  name: string;
  /** Makes ready what `count` runs on `model` need before they start (ours: users and tools). */
  prepare?(model: string, count: number): Promise<void>;
  /** Starts a run on `model`, read on the connection that started it. */
  start(model: string, options?: FollowOptions): Promise<Started>;
  /** Another reader of `run` (absent where a run has no second reader: the relays). */
  follow?(run: string, options?: FollowOptions): Promise<Receipt>;
  /** A resumed reader gets the run from its start again (and keeps that), not from its cursor. */
  replaysFromStart?: boolean;
  /**
   * Storage writes counted so far: rows, puts, commands or appends, as the system stores. Without
   * `run`, the count before a run starts (0 where counters are per run); a case takes the difference.
   */
  writes?(run?: string): Promise<number>;
}

const TERMINAL = /^execution\.(completed|failed|canceled|timed_out)$/;

/** The named frames ours sends on the events endpoint, and the relays send too. */
const readNamedEvents = (message: EventSourceMessage): FrameMeaning =>
  message.event === "prompt.delta"
    ? { text: (JSON.parse(message.data) as { delta: string }).delta }
    : { end: TERMINAL.test(message.event ?? "") };

/**
 * Ours: the original endpoint starts and streams a run (auth, rate limit, D1, the object, its log); a
 * reader follows or resumes it on GET /api/executions/:id/events with Last-Event-ID (the same ids).
 */
export function ours(client: BenchClient): System {
  const ready = new Map<string, { user: string; toolId: string }[]>();
  const users = new Map<string, string>();
  /** Each run's counting tag: its start and its readers count under it. */
  const tags = new Map<string, string>();
  return {
    name: "ours",
    async prepare(model, count) {
      const slots = await Promise.all(
        Array.from({ length: count }, async () => {
          const user = newUser();
          return { user, toolId: await client.tool(user, model) };
        }),
      );
      ready.set(model, [...(ready.get(model) ?? []), ...slots]);
    },
    async start(model, options = {}) {
      const slot = ready.get(model)?.pop();
      if (!slot) throw new Error(`ours: prepare ${model} first`);
      const tag = randomUUID();
      const opened = await openSse(
        `${client.baseUrl}/api/assistant-architect/stream`,
        {
          method: "POST",
          headers: { ...client.headers(slot.user), ...countedAs(tag) },
          body: JSON.stringify({ toolId: slot.toolId, inputs: { topic: "bench" } }),
        },
        {
          stopAfterChars: options.stopAfterChars,
          read: (message) => {
            const frame = JSON.parse(message.data) as { type: string; token?: string };
            return frame.type === "token"
              ? { text: frame.token ?? "" }
              : { end: /^(complete|error)$/.test(frame.type) };
          },
        },
      );
      const run = opened.headers.get("X-Execution-Id") ?? "";
      users.set(run, slot.user);
      tags.set(run, tag);
      return { run, receipt: opened.receipt };
    },
    async follow(run, options = {}) {
      const headers: Record<string, string> = {
        ...client.headers(users.get(run) ?? ""),
        ...countedAs(tags.get(run) ?? ""),
      };
      if (options.from?.cursor) headers["Last-Event-ID"] = options.from.cursor;
      const opened = await openSse(
        `${client.baseUrl}/api/executions/${run}/events`,
        { headers },
        {
          stopAfterChars: options.stopAfterChars,
          read: readNamedEvents,
        },
      );
      return opened.receipt;
    },
    async writes(run) {
      // Counted per run (its tag): the Worker's D1 writes creating it, the object's storage and D1 writes.
      if (!run) return 0;
      const counters = await countersOf(client.baseUrl, tags.get(run) ?? "");
      return counters.d1Writes + counters.storageRows + counters.storageKvPuts;
    },
  };
}

/** A relay in workerd that reads the upstream with the openai SDK: the bare one, or from a new object. */
export function relay(baseUrl: string, name: string, path: string): System {
  return {
    name,
    async start(model, options = {}) {
      const opened = await openSse(
        `${baseUrl}${path}`,
        {
          method: "POST",
          headers: { "Content-Type": "application/json" },
          body: JSON.stringify({ model, prompt: "bench" }),
        },
        {
          stopAfterChars: options.stopAfterChars,
          read: readNamedEvents,
        },
      );
      return { run: "", receipt: opened.receipt };
    },
  };
}

/** Vercel resumable-stream: POST starts, GET ?resumeAt=<characters read> resumes (bench/peers/resumable-server.ts). */
export function resumableStream(baseUrl: string, redisCommands: () => Promise<number>): System {
  const open = async (url: string, method: string, options: FollowOptions = {}) =>
    openSse(
      url,
      { method },
      {
        stopAfterChars: options.stopAfterChars,
        cursor: (_message, _receipt, rawChars) => String(Number(options.from?.cursor ?? 0) + rawChars),
        read: (message) => {
          if (message.data === "[DONE]") return { end: true };
          const frame = JSON.parse(message.data) as { type: string; delta?: string };
          return frame.type === "text-delta" ? { text: frame.delta ?? "" } : {};
        },
      },
    );
  return {
    name: "resumable-stream",
    async start(model, options) {
      const run = randomUUID();
      const opened = await open(`${baseUrl}/streams/${run}?model=${encodeURIComponent(model)}`, "POST", options);
      return { run, receipt: opened.receipt };
    },
    async follow(run, options = {}) {
      const query = options.from ? `?resumeAt=${options.from.cursor}` : "";
      return (await open(`${baseUrl}/streams/${run}${query}`, "GET", options)).receipt;
    },
    writes: () => redisCommands(),
  };
}

/** Durable Streams: POST /runs creates a stream; readers follow its URL from an offset, live by default. */
export function durableStreams(producerUrl: string): System {
  const follow = async (run: string, options: FollowOptions = {}, receipt = new Receipt()) => {
    const abort = new AbortController();
    // Counts the bytes of every response the client reads, whichever live mode it picked.
    const counting: typeof fetch = async (input, init) => {
      const response = await fetch(input, init);
      if (!response.body) return response;
      const counter = new TransformStream<Uint8Array, Uint8Array>({
        transform(chunk, controller) {
          receipt.wireBytes += chunk.byteLength;
          controller.enqueue(chunk);
        },
      });
      return new Response(response.body.pipeThrough(counter), response);
    };
    const response = await readStream<{ delta: string }>({
      url: run,
      offset: options.from?.cursor || "-1",
      live: true,
      signal: abort.signal,
      fetch: counting,
    });
    await new Promise<void>((resolve, reject) => {
      response.subscribeJson(async (batch) => {
        for (const item of batch.items) receipt.add(item.delta);
        receipt.cursor = batch.offset;
        if (batch.streamClosed) receipt.ended = true;
        const enough = options.stopAfterChars !== undefined && receipt.text.length >= options.stopAfterChars;
        if (enough || receipt.ended) resolve();
      });
      // `closed` can settle before the last batches (up to the one saying the stream closed) are handed
      // over: a closed stream ends with that batch, anything else when `closed` settles.
      response.closed.then(() => {
        if (!response.streamClosed) resolve();
        // A closed stream whose last batches never come is counted as it stands (not whole).
        else setTimeout(resolve, 5_000);
      }, reject);
    });
    abort.abort();
    return receipt;
  };
  return {
    name: "Durable Streams",
    async start(model, options) {
      const receipt = new Receipt();
      const created = await fetch(`${producerUrl}/runs?model=${encodeURIComponent(model)}`, { method: "POST" });
      const { url } = (await created.json()) as { url: string };
      return { run: url, receipt: follow(url, options, receipt) };
    },
    follow: (run, options) => follow(run, options),
    async writes() {
      return ((await (await fetch(`${producerUrl}/appends`)).json()) as { appends: number }).appends;
    },
  };
}
