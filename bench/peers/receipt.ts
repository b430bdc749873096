// What one reader received: the text in order, when, how many bytes it took on the wire, and where it
// could resume. Every peer's reader fills one, so every case reads them the same way.
import { now, stampLatencies } from "../stats.ts";

export class Receipt {
  text = "";
  /** Bytes that arrived on the wire (SSE frames, WebSocket messages, HTTP bodies). */
  wireBytes = 0;
  /** Where this reader can resume: the system's own cursor (event id, offset, characters). */
  cursor = "";
  ended = false;
  /** When the first text arrived (ms since the epoch), NaN before. */
  firstTextAt = Number.NaN;
  /** Receive time minus upstream send time of each stamped chunk (ms). */
  readonly latenciesMs: number[] = [];
  readonly startedAt = now();

  /** Records `text` as received now. */
  add(text: string): void {
    if (!text) return;
    const at = now();
    if (Number.isNaN(this.firstTextAt)) this.firstTextAt = at;
    this.text += text;
    this.latenciesMs.push(...stampLatencies(text, at));
  }

  /** Forgets the text so far (a reader whose stream is replayed from its start). */
  restart(): void {
    this.text = "";
    this.latenciesMs.length = 0;
  }

  /** ms from the reader's start to its first text. */
  get firstTextMs(): number {
    return this.firstTextAt - this.startedAt;
  }

  get totalMs(): number {
    return now() - this.startedAt;
  }
}

/** Byte length of a string in UTF-8. */
export const utf8Bytes = (text: string) => Buffer.byteLength(text, "utf8");
