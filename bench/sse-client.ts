// Reads an SSE response and times it: first delta, end, and (for stamped chunks) per-token latency.
import { createParser } from "eventsource-parser";
import { now, stampLatencies } from "./stats.ts";

export interface StreamTiming {
  status: number;
  /** ms from request start to the first delta (NaN if none). */
  firstDeltaMs: number;
  totalMs: number;
  deltas: number;
  outputChars: number;
  terminal: string | null;
  /** Receive time minus upstream send time of each stamped chunk (ms). */
  tokenLatenciesMs: number[];
  executionId: string | null;
}

/** Sends `init` to `url` and reads the SSE answer to its end, in either event format. */
export async function timeStream(url: string, init: RequestInit): Promise<StreamTiming> {
  const started = now();
  const response = await fetch(url, init);
  const timing: StreamTiming = {
    status: response.status,
    firstDeltaMs: Number.NaN,
    totalMs: 0,
    deltas: 0,
    outputChars: 0,
    terminal: null,
    tokenLatenciesMs: [],
    executionId: response.headers.get("X-Execution-Id"),
  };
  const onDelta = (text: string) => {
    const at = now();
    if (timing.deltas === 0) timing.firstDeltaMs = at - started;
    timing.deltas++;
    timing.outputChars += text.length;
    timing.tokenLatenciesMs.push(...stampLatencies(text, at));
  };
  const parser = createParser({
    onEvent: (message) => {
      if (!message.data) return;
      const data = JSON.parse(message.data) as { type?: string; delta?: string; token?: string };
      const name = message.event ?? data.type ?? "";
      if (name === "prompt.delta" || name === "token") onDelta(data.delta ?? data.token ?? "");
      else if (/^execution\.(completed|failed|canceled|timed_out)$|^complete$|^error$/.test(name))
        timing.terminal = name;
    },
  });
  if (response.body) {
    const decoder = new TextDecoder();
    for await (const chunk of response.body) parser.feed(decoder.decode(chunk as Uint8Array, { stream: true }));
  }
  timing.totalMs = now() - started;
  return timing;
}
