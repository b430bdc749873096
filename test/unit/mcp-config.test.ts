// MCP_SERVERS, MCP_CALL_TIMEOUT_MS and MCP_RESULT_MAX_BYTES: defaults, each entry's headers from its
// secret, and errors naming the bad entry that never quote a URL or a header.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { getConfig } from "../../src/lib/config";
import { MCP_DEFAULTS, parseMcpServers } from "../../src/lib/mcp-config";
import { ConfigError } from "../../src/lib/model-catalogue";

const parse = (raw: string | undefined, secrets: Record<string, string> = {}) =>
  parseMcpServers({ raw, secret: (name) => secrets[name] });

const failure = (raw: string, secrets: Record<string, string> = {}) => {
  try {
    parse(raw, secrets);
    return "parsed";
  } catch (error) {
    return error instanceof ConfigError ? error.message : `unexpected: ${String(error)}`;
  }
};

describe("parseMcpServers", () => {
  it("is empty when unset, and fills the default approval and empty headers", () => {
    expect(parse(undefined).size).toBe(0);
    expect(parse("  ").size).toBe(0);
    const servers = parse('[{"name": "lesson", "url": "https://mcp.example.edu/lesson"}]');
    expect(servers.get("lesson")).toEqual({
      name: "lesson",
      url: "https://mcp.example.edu/lesson",
      approval: "unless_read_only",
      headers: {},
    });
  });

  it("reads each entry's headers from the secret headersVar names, and its approval setting", () => {
    const servers = parse(
      '[{"name": "a", "url": "https://a.example/mcp", "headersVar": "A_HEADERS", "approval": "always"},' +
        ' {"name": "b-2", "url": "http://127.0.0.1:9/mcp", "approval": "never"}]',
      { A_HEADERS: '{"Authorization": "Bearer s3cret", "X-Team": "math"}' },
    );
    expect([...servers.keys()]).toEqual(["a", "b-2"]);
    expect(servers.get("a")).toMatchObject({
      approval: "always",
      headers: { Authorization: "Bearer s3cret", "X-Team": "math" },
    });
    expect(servers.get("b-2")?.approval).toBe("never");
  });

  it.each([
    ["not json", "MCP_SERVERS is not valid JSON: it must be a JSON array of server entries"],
    ['{"name": "x"}', "MCP_SERVERS must be a JSON array of server entries"],
    [
      '[{"name": "a.b", "url": "https://x.example"}]',
      'MCP_SERVERS entry 1 ("a.b"): name: must be 1 to 64 letters, digits, _ or -',
    ],
    [`[{"name": "${"n".repeat(65)}", "url": "https://x.example"}]`, /^MCP_SERVERS entry 1 \("n{64}"\): name: must be/],
    [
      '[{"name": "ok", "url": "https://x.example"}, {"name": "ok", "url": "https://y.example"}]',
      'MCP_SERVERS entry 2 ("ok"): the name "ok" is listed twice',
    ],
    [
      '[{"name": "assistant", "url": "https://x.example"}]',
      'MCP_SERVERS entry 1 ("assistant"): the name "assistant" is reserved for saved assistants',
    ],
    [
      '[{"name": "a", "url": "https://x.example", "approval": "sometimes"}]',
      /^MCP_SERVERS entry 1 \("a"\): approval: /,
    ],
    ['[{"name": "a", "url": "https://x.example", "extra": 1}]', /^MCP_SERVERS entry 1 \("a"\): entry: /],
    [
      '[{"name": "a", "url": "https://x.example", "headersVar": "lower"}]',
      /^MCP_SERVERS entry 1 \("a"\): headersVar: must be the name of a secret/,
    ],
    [
      '[{"name": "a", "url": "https://x.example", "headersVar": "MISSING"}]',
      'MCP_SERVERS entry 1 ("a"): headersVar names MISSING, which is not set (wrangler secret put MISSING)',
    ],
  ])("names the bad entry: %s", (raw, expected) => {
    const message = failure(raw);
    if (typeof expected === "string") expect(message).toBe(expected);
    else expect(message).toMatch(expected);
  });

  it("never quotes the URL or a header in its errors", () => {
    const secretUrl = "ftp://user:tok3n@mcp.internal.example:8443/x";
    const badUrl = failure(`[{"name": "a", "url": "${secretUrl}"}]`);
    expect(badUrl).toBe('MCP_SERVERS entry 1 ("a"): url: must be an http(s) URL');
    for (const secret of [
      '{"Authorization": 42}',
      '["Bearer tok3n"]',
      "Bearer tok3n",
      '{"bad name": "tok3n"}',
      '{"X": "a\\r\\nb: tok3n"}',
    ]) {
      const message = failure('[{"name": "a", "url": "https://x.example", "headersVar": "H"}]', { H: secret });
      expect(message).toBe(
        'MCP_SERVERS entry 1 ("a"): the secret H must hold a JSON object of header names to string values',
      );
      expect(message).not.toContain("tok3n");
    }
  });
});

describe("getConfig: MCP settings", () => {
  it("defaults the call timeout and result cap, and reads set values", () => {
    const defaults = getConfig({
      ...env,
      MCP_CALL_TIMEOUT_MS: "",
      MCP_RESULT_MAX_BYTES: "x",
      DEMO_MCP_SERVERS: "",
    } as Env);
    expect(defaults.mcp).toMatchObject(MCP_DEFAULTS);
    expect(defaults.demoMcpServers).toBe(false);
    const set = getConfig({
      ...env,
      MCP_CALL_TIMEOUT_MS: "5000",
      MCP_RESULT_MAX_BYTES: "2048",
      DEMO_MCP_SERVERS: "true",
      MCP_SERVERS: '[{"name": "s", "url": "https://s.example/mcp", "headersVar": "S_HEADERS"}]',
      S_HEADERS: '{"X-Key": "k"}',
    } as Env);
    expect(set.mcp).toMatchObject({ callTimeoutMs: 5000, resultMaxBytes: 2048 });
    expect(set.mcp.servers.get("s")?.headers).toEqual({ "X-Key": "k" });
    expect(set.demoMcpServers).toBe(true);
  });
});
