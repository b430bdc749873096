// GET /api/mcp/tools: every configured server's tools with approval needs, unreachable servers under
// `errors` (never a 500), and no URL, address or header anywhere in the answer; authenticated.
import { createExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { createApp } from "../../src/app";
import { api, apiJson } from "../helpers/api";
import { tokenFor } from "../helpers/auth";
import { MCP_TEST_TOKEN } from "../upstream/mcp-names";

interface Catalogue {
  tools: { name: string; description: string; inputSchema: { type: string }; needsApproval: boolean }[];
  errors: { server: string; error: string }[];
}

async function withEnv(overrides: Partial<Env>, path = "/api/mcp/tools") {
  const response = await createApp().fetch(
    new Request(`http://localhost${path}`, { headers: { Authorization: `Bearer ${await tokenFor("author")}` } }),
    { ...env, ...overrides },
    createExecutionContext(),
  );
  return { status: response.status, text: await response.text() };
}

describe("GET /api/mcp/tools", () => {
  it("needs a token", async () => {
    expect((await api("/api/mcp/tools")).status).toBe(401);
  });

  it("lists each reachable server's tools by full name with needsApproval, and the others under errors", async () => {
    const { status, body } = await apiJson<Catalogue>("/api/mcp/tools", { user: "author" });
    expect(status).toBe(200);
    const byName = new Map(body.tools.map((tool) => [tool.name, tool]));
    expect(byName.get("tools.lookup")).toMatchObject({
      description: "Looks up a standard by topic",
      needsApproval: false,
      inputSchema: { type: "object" },
    });
    expect(byName.get("tools.delete_record")?.needsApproval).toBe(true);
    expect(byName.get("tools.set_flag")?.needsApproval).toBe(true);
    expect(body.tools.every((tool) => tool.name.startsWith("tools."))).toBe(true);
    expect(body.errors).toEqual([
      { server: "down", error: 'The MCP server "down" could not be reached' },
      { server: "broken", error: 'The MCP server "broken" answered HTTP 500' },
    ]);
  });

  it("shows no URL, host, port or header anywhere in the answer", async () => {
    const text = await (await api("/api/mcp/tools", { user: "author" })).text();
    const origin = new URL(env.MCP_TEST_URL);
    for (const secret of [origin.host, origin.port, new URL(env.MCP_DOWN_URL).port, "127.0.0.1", "http://"]) {
      expect(text).not.toContain(secret);
    }
    expect(text).not.toContain(MCP_TEST_TOKEN);
  });

  it("is empty when no server is configured", async () => {
    const { status, text } = await withEnv({ MCP_SERVERS: "" });
    expect(status).toBe(200);
    expect(JSON.parse(text)).toEqual({ tools: [], errors: [] });
  });

  it("answers 500 naming the bad MCP_SERVERS entry, never its URL or headers", async () => {
    const { status, text } = await withEnv({
      MCP_SERVERS: JSON.stringify([{ name: "x", url: "gopher://secret-host.example:70/", headersVar: "H" }]),
    });
    expect(status).toBe(500);
    expect(JSON.parse(text)).toEqual({
      error: {
        code: "internal",
        message: 'The service is misconfigured: MCP_SERVERS entry 1 ("x"): url: must be an http(s) URL',
      },
    });
  });
});
