// Reads an SSE response into a Receipt, for every peer that answers in SSE: what a frame means is the
// peer's `read`; the reader can drop the connection once it holds `stopAfterChars` of text.
import { createParser, type EventSourceMessage } from "eventsource-parser";
import { Receipt } from "./receipt.ts";

/** What one SSE frame carried: text, the end of the run, or neither. */
export interface FrameMeaning {
  text?: string;
  end?: boolean;
}

export interface SseFollow {
  read: (message: EventSourceMessage) => FrameMeaning;
  /** Drop the connection once this many characters of text have arrived. */
  stopAfterChars?: number;
  /** The cursor after each frame: by default its SSE id; resumable-stream counts characters. */
  cursor?: (message: EventSourceMessage, receipt: Receipt, rawChars: number) => string;
}

/** Opens the SSE response; resolves with its headers once they arrive, and the receipt when reading stops. */
export async function openSse(url: string, init: RequestInit, follow: SseFollow, receipt = new Receipt()) {
  const abort = new AbortController();
  const response = await fetch(url, { ...init, signal: abort.signal });
  if (!response.ok || !response.body) throw new Error(`${url}: ${response.status} ${await response.text()}`);
  const body = response.body;
  let rawChars = 0;
  let stop = false;
  const parser = createParser({
    onEvent(message) {
      if (stop) return;
      const meaning = follow.read(message);
      if (meaning.text) receipt.add(meaning.text);
      receipt.cursor = follow.cursor ? follow.cursor(message, receipt, rawChars) : (message.id ?? receipt.cursor);
      if (meaning.end) receipt.ended = true;
      if (follow.stopAfterChars !== undefined && receipt.text.length >= follow.stopAfterChars) stop = true;
    },
  });
  const read = async () => {
    const decoder = new TextDecoder();
    try {
      for await (const chunk of body) {
        receipt.wireBytes += chunk.byteLength;
        const text = decoder.decode(chunk, { stream: true });
        // Frames are fed one at a time, so a cursor counted in characters ends on a frame boundary.
        for (const frame of text.split(/(?<=\n\n)/)) {
          rawChars += frame.length;
          parser.feed(frame);
          if (stop) break;
        }
        if (stop || receipt.ended) break;
      }
    } finally {
      abort.abort();
    }
    return receipt;
  };
  return { headers: response.headers, receipt: read() };
}
