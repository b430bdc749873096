import { createParser } from "eventsource-parser";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { createSseParser, type SseMessage } from "../../src/client/sse-parser";

function ours(chunks: string[]): SseMessage[] {
  const out: SseMessage[] = [];
  const parser = createSseParser((message) => out.push(message));
  for (const chunk of chunks) parser.feed(chunk);
  return out;
}

/** Event names and data as eventsource-parser reads them (ids are checked against the spec below). */
function reference(chunks: string[]): Omit<SseMessage, "id">[] {
  const out: Omit<SseMessage, "id">[] = [];
  const parser = createParser({ onEvent: (message) => out.push({ event: message.event, data: message.data }) });
  for (const chunk of chunks) parser.feed(chunk);
  return out;
}

const field = fc.constantFrom("data", "event", "id", "retry", "", ":", "data ", "dat");
const value = fc.oneof(fc.string({ maxLength: 8 }), fc.constantFrom("x", "1", " spaced", "a:b", "😀", "\0"));
const lineEnd = fc.constantFrom("\n", "\r\n", "\r");
const stream = fc
  .array(fc.tuple(field, value, lineEnd, fc.boolean()), { maxLength: 30 })
  .map((lines) =>
    lines
      .map(
        ([name, text, end, blank]) =>
          `${name}${name === "" ? "" : ":"}${text.replace(/[\r\n]/g, "")}${end}${blank ? end : ""}`,
      )
      .join(""),
  );

describe("the client's SSE parser", () => {
  it("agrees with eventsource-parser on any stream, however it is split into chunks", () => {
    fc.assert(
      fc.property(stream, fc.array(fc.nat(), { maxLength: 6 }), (text, cuts) => {
        const points = [...new Set(cuts.map((cut) => cut % (text.length + 1)))].sort((a, b) => a - b);
        const chunks = [0, ...points, text.length]
          .slice(1)
          .map((end, i, all) => text.slice(i === 0 ? 0 : (all[i - 1] ?? 0), end));
        expect(ours(chunks).map(({ event, data }) => ({ event, data }))).toEqual(reference([text]));
      }),
      { numRuns: 500 },
    );
  });

  it("keeps the last event id across events, as the spec's last-event-ID buffer does", () => {
    expect(ours(["id: 7\ndata: a\n\ndata: b\n\n", "id:\ndata: c\n\n"]).map((message) => message.id)).toEqual([
      "7",
      "7",
      "",
    ]);
    expect(ours(["id: 9\n\ndata: after an id-only block\n\n"]).map((message) => message.id)).toEqual(["9"]);
  });

  it("reads our own events, ignores pings and reports retry", () => {
    let retry = 0;
    const out: SseMessage[] = [];
    createSseParser(
      (message) => out.push(message),
      (ms) => (retry = ms),
    ).feed('retry: 2000\nid: 1\nevent: prompt.delta\ndata: {"a":1}\n\n: ping\n\n');
    expect(retry).toBe(2000);
    expect(out).toEqual([{ id: "1", event: "prompt.delta", data: '{"a":1}' }]);
  });
});
