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
  /** When the request was sent, ms since the epoch (the upstream's and workerd's clock). */
  startedAt: number;
  /** Each prompt's first and last delta, ms from request start, in the order the prompts first sent one. */
  prompts: { firstMs: number; lastMs: number }[];
}

/** The gaps a chain's reader waits between prompts: prompt N's last delta to prompt N+1's first, ms. */
export const promptGaps = (timing: StreamTiming): number[] =>
  timing.prompts.slice(1).map((prompt, i) => prompt.firstMs - (timing.prompts[i]?.lastMs ?? Number.NaN));

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
    prompts: [],
    startedAt: started,
  };
  const promptAt = new Map<string, { firstMs: number; lastMs: number }>();
  const onDelta = (text: string, prompt: string) => {
    const at = now();
    if (timing.deltas === 0) timing.firstDeltaMs = at - started;
    const seen = promptAt.get(prompt);
    if (seen) seen.lastMs = at - started;
    else {
      const first = { firstMs: at - started, lastMs: at - started };
      promptAt.set(prompt, first);
      timing.prompts.push(first);
    }
    timing.deltas++;
    timing.outputChars += text.length;
    timing.tokenLatenciesMs.push(...stampLatencies(text, at));
  };
  const parser = createParser({
    onEvent: (message) => {
      if (!message.data) return;
      const data = JSON.parse(message.data) as {
        type?: string;
        delta?: string;
        token?: string;
        promptId?: string;
        promptIndex?: number;
      };
      const name = message.event ?? data.type ?? "";
      if (name === "prompt.delta" || name === "token")
        onDelta(data.delta ?? data.token ?? "", String(data.promptId ?? data.promptIndex ?? ""));
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
