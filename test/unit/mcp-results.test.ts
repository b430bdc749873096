// The pieces of the toolbox that need no server: the UTF-8 cap, result text, error sanitizing, and the
// approval and restart policies read from annotations.
import { describe, expect, it } from "vitest";
import { mayRunAgainAfterRestart, needsApproval } from "../../src/mcp/policy";
import { capUtf8, resultText, utf8Length } from "../../src/mcp/results";
import { sanitize } from "../../src/mcp/sanitize";

const bytes = (text: string) => new TextEncoder().encode(text).length;

describe("capUtf8", () => {
  it("keeps a text that fits, however close to the bound", () => {
    expect(capUtf8("héllo", 6)).toBe("héllo");
    expect(capUtf8("a".repeat(100), 100)).toBe("a".repeat(100));
  });

  it.each([
    ["ASCII", "a"],
    ["2-byte", "é"],
    ["3-byte", "€"],
    ["4-byte (a surrogate pair)", "😀"],
  ])("cuts %s text to whole characters within the bound, the note included", (_, char) => {
    const text = char.repeat(5_000);
    const cut = capUtf8(text, 1_000);
    expect(bytes(cut)).toBeLessThanOrEqual(1_000);
    expect(cut.endsWith(`\n[result cut to 1000 of its ${bytes(text)} bytes]`)).toBe(true);
    const kept = cut.slice(0, cut.indexOf("\n["));
    expect(kept).toBe(char.repeat(kept.length / char.length));
    // As much as fits: one more character would not.
    expect(bytes(cut) + bytes(char)).toBeGreaterThan(1_000);
  });

  it("counts UTF-8 as TextEncoder does, a lone surrogate as 3 bytes", () => {
    for (const text of ["", "abc", "é€😀", "\ud800x", "x\udc00"]) expect(utf8Length(text)).toBe(bytes(text));
  });
});

describe("resultText", () => {
  it("joins text, names other content, and falls back to structured content or an old-protocol result", () => {
    expect(
      resultText({
        content: [
          { type: "text", text: "one" },
          { type: "audio", data: "AAAA", mimeType: "audio/wav" },
          { type: "resource", resource: { uri: "file:///a.bin", mimeType: "application/pdf", blob: "AA==" } },
        ],
      }),
    ).toBe("one\n[audio: audio/wav, 3 bytes]\n[resource: file:///a.bin, application/pdf]");
    expect(resultText({ content: [], structuredContent: { grade: 4 } })).toBe('{"grade":4}');
    expect(resultText({ toolResult: { ok: true } })).toBe('{"ok":true}');
  });
});

describe("sanitize", () => {
  const server = {
    url: "https://mcp.school.example:8443/v1/mcp?key=abc123",
    headers: { Authorization: "Bearer zzz-secret-zzz", "X-Short": "ab" },
  };

  it.each([
    ["a URL", "fetch https://other.example/x?y=1 failed", "fetch [redacted] failed"],
    ["an IPv4 address and port", "connect ECONNREFUSED 10.0.0.7:5432", "connect ECONNREFUSED [redacted]"],
    [
      "an IPv6 address",
      "connect to [2001:db8::1]:443 and fe80::1 failed",
      "connect to [redacted] and [redacted] failed",
    ],
    ["a host and port", "db.internal:6543 is down", "[redacted] is down"],
    ["localhost", "localhost:8787 refused", "[redacted] refused"],
    ["the server's host alone", "MCP.SCHOOL.EXAMPLE says no", "[redacted] says no"],
    ["a header value", "token Bearer zzz-secret-zzz rejected", "token [redacted] rejected"],
    ["the URL's query", "bad key abc123", "bad key [redacted]"],
  ])("removes %s", (_, message, expected) => {
    expect(sanitize(message, server)).toBe(expected);
  });

  it("leaves ordinary text, tool names and short header values alone, and caps the length", () => {
    expect(sanitize('Tool find_standard not found: "grade" must be a number ab', server)).toBe(
      'Tool find_standard not found: "grade" must be a number ab',
    );
    expect(sanitize("x".repeat(1_000))).toHaveLength(300);
  });
});

describe("policies from annotations", () => {
  it.each([
    ["unless_read_only", { readOnlyHint: true }, false],
    ["unless_read_only", { readOnlyHint: false }, true],
    ["unless_read_only", { idempotentHint: true }, true],
    ["unless_read_only", undefined, true],
    ["always", { readOnlyHint: true }, true],
    ["never", { destructiveHint: true }, false],
  ] as const)("approval %s with %j: needed = %s", (setting, annotations, expected) => {
    expect(needsApproval(setting, annotations)).toBe(expected);
  });

  it.each([
    [{ readOnlyHint: true }, true],
    [{ idempotentHint: true }, true],
    [{ destructiveHint: true }, false],
    [{ readOnlyHint: false, idempotentHint: false }, false],
    [undefined, false],
  ] as const)("a call cut by a restart with %j may run again: %s", (annotations, expected) => {
    expect(mayRunAgainAfterRestart(annotations)).toBe(expected);
  });
});
