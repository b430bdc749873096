// Property-based tests: the template renderer and the SSE encoder hold for any text, not just examples.
import { createParser, type EventSourceMessage } from "eventsource-parser";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { encodeLegacyEvent } from "../../src/events/legacy";
import { encodeEvent } from "../../src/events/sse";
import { event, type StoredEvent } from "../../src/events/types";
import { canonicalJson } from "../../src/lib/canonical-json";
import { compileTemplate, decodePromptContent, renderTemplate } from "../../src/lib/templates";

const name = fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_-]{0,12}$/);
/** Text that may contain anything, including template syntax, newlines, \r and non-BMP characters. */
const anyText = fc.oneof(
  fc.string({ unit: "binary" }),
  fc.constantFrom("{{x}}", "${x}", "\r\n", "\n\n", "data: x", "id: 9", ":", "\r", "😀", "&lt;", "\\$"),
  fc
    .array(fc.constantFrom("{{", "}}", "${", "}", "\n", "\r", "data:", "é", "😀", "a", " "), { maxLength: 20 })
    .map((parts) => parts.join("")),
);

function parse(text: string): EventSourceMessage[] {
  const messages: EventSourceMessage[] = [];
  createParser({ onEvent: (message) => messages.push(message) }).feed(text);
  return messages;
}

describe("renderTemplate properties", () => {
  it("inserts every value literally: single pass, whatever the value contains", () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(name, { minLength: 1, maxLength: 5 }),
        fc.array(anyText, { minLength: 5, maxLength: 5 }),
        (names, texts) => {
          const values = new Map(names.map((item, i) => [item, texts[i] ?? ""]));
          const template = names.map((item) => `[{{${item}}}]`).join("");
          const expected = names.map((item) => `[${values.get(item)}]`).join("");
          expect(renderTemplate(compileTemplate(template), values)).toBe(expected);
        },
      ),
    );
  });

  it("leaves text without placeholders or encodings unchanged", () => {
    fc.assert(
      fc.property(
        fc.string().filter((text) => !/[{}$&\\]/.test(text)),
        (text) => {
          expect(renderTemplate(compileTemplate(text), new Map())).toBe(text);
        },
      ),
    );
  });

  it("decodes numeric entities of any code point back to the character", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0x20, max: 0x10ffff }).filter((code) => code < 0xd800 || code > 0xdfff),
        (code) => {
          expect(decodePromptContent(`&#${code};`)).toBe(String.fromCodePoint(code));
          expect(decodePromptContent(`&#x${code.toString(16)};`)).toBe(String.fromCodePoint(code));
        },
      ),
    );
  });
});

describe("SSE encoder properties", () => {
  it("round-trips any delta exactly through a spec-compliant parser, with its id and name", () => {
    fc.assert(
      fc.property(fc.nat({ max: 1e9 }), anyText, anyText, (id, promptId, delta) => {
        const stored = { id: id + 1, ...event("prompt.delta", { promptId, delta }) } as StoredEvent;
        const [message, ...rest] = parse(encodeEvent(stored));
        expect(rest).toEqual([]);
        expect(message?.id).toBe(String(id + 1));
        expect(message?.event).toBe("prompt.delta");
        expect(JSON.parse(message?.data ?? "")).toEqual({ promptId, delta });
      }),
    );
  });

  it("keeps a sequence of events separate and in order, in both formats", () => {
    fc.assert(
      fc.property(fc.array(anyText, { minLength: 1, maxLength: 8 }), (deltas) => {
        const events = deltas.map(
          (delta, i) => ({ id: i + 1, ...event("prompt.delta", { promptId: "p", delta }) }) as StoredEvent,
        );
        const named = parse(events.map(encodeEvent).join(""));
        expect(named.map((message) => JSON.parse(message.data).delta)).toEqual(deltas);
        const legacy = parse(
          events
            .map((item) =>
              encodeLegacyEvent(item, {
                executionId: "e",
                toolName: "t",
                promptIds: ["p"],
                promptModels: ["m"],
                canceledPromptIds: () => [],
              }),
            )
            .join(""),
        );
        expect(legacy.map((message) => JSON.parse(message.data).token)).toEqual(deltas);
        expect(legacy.map((message) => message.id)).toEqual(events.map((item) => String(item.id)));
      }),
    );
  });
});

describe("canonicalJson properties", () => {
  /** The same value with every object's keys in reverse order, at every depth. */
  const reordered = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(reordered);
    if (value === null || typeof value !== "object") return value;
    return Object.fromEntries(
      Object.entries(value)
        .reverse()
        .map(([key, item]) => [key, reordered(item)]),
    );
  };

  it("gives the same text whatever order the keys were written in, and parses back to the same value", () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const text = canonicalJson(value);
        expect(canonicalJson(reordered(value))).toBe(text);
        expect(JSON.parse(text)).toEqual(JSON.parse(JSON.stringify(value)));
      }),
    );
  });
});
