// The toolbox against a real MCP server (the SDK's, on loopback) from inside workerd: listing once per
// toolbox, calls with the configured headers, the deadline, cancel, the result cap, and servers that are
// down, silent or answer errors failing only their own calls, with messages that name no address.
import { describe, expect, it } from "vitest";
import { Toolbox } from "../../src/mcp/toolbox";
import { downServer, mcpCounts, testServer, testToolbox } from "../helpers/mcp";
import { waitFor } from "../helpers/upstream";
import { MCP_PATHS, MCP_TEST_TOKEN } from "../upstream/mcp-names";

const newId = () => crypto.randomUUID();
const never = () => new AbortController().signal;

/** No address, port or header value of the test servers. */
function expectNothingRevealed(text: string) {
  expect(text).not.toMatch(/127\.0\.0\.1|localhost|:\d{2,5}\b|https?:\/\//);
  expect(text).not.toContain(MCP_TEST_TOKEN.slice("Bearer ".length));
}

describe("Toolbox: listing", () => {
  it("lists a server's tools with schema, annotations and whether a call needs approval", async () => {
    const toolbox = testToolbox(newId());
    const outcome = await toolbox.listTools("tools");
    await toolbox.close();
    if (!outcome.ok) throw new Error(outcome.error.message);
    const byName = new Map(outcome.tools.map((tool) => [tool.name, tool]));
    expect(byName.get("lookup")).toMatchObject({
      server: "tools",
      description: "Looks up a standard by topic",
      annotations: { readOnlyHint: true },
      needsApproval: false,
      inputSchema: { type: "object", properties: { topic: { type: "string", minLength: 2 } }, required: ["topic"] },
    });
    expect(byName.get("delete_record")).toMatchObject({ annotations: { destructiveHint: true }, needsApproval: true });
    expect(byName.get("set_flag")).toMatchObject({ annotations: { idempotentHint: true }, needsApproval: true });
    expect([...byName.keys()].sort()).toEqual(
      ["check_header", "delete_record", "fail", "huge", "lookup", "mixed", "set_flag", "slow", "slow_write"].sort(),
    );
  });

  it("follows the server's approval setting: always and never override the annotations", async () => {
    const id = newId();
    const toolbox = testToolbox(id, [
      testServer("strict", MCP_PATHS.main, id, { approval: "always" }),
      testServer("trusted", MCP_PATHS.main, id, { approval: "never" }),
    ]);
    const [strict, trusted] = await Promise.all([toolbox.listTools("strict"), toolbox.listTools("trusted")]);
    await toolbox.close();
    expect(strict.ok && strict.tools.every((tool) => tool.needsApproval)).toBe(true);
    expect(trusted.ok && trusted.tools.every((tool) => !tool.needsApproval)).toBe(true);
  });

  it("asks the server for its list once per toolbox, however many times it is read", async () => {
    const methods: string[] = [];
    const id = newId();
    const server = testServer("tools", MCP_PATHS.main, id);
    const toolbox = new Toolbox(
      { servers: new Map([["tools", server]]), callTimeoutMs: 2_000, resultMaxBytes: 10_000 },
      {
        fetch: async (url, init) => {
          if (typeof init?.body === "string")
            methods.push(String((JSON.parse(init.body) as { method?: string }).method));
          return fetch(url, init);
        },
      },
    );
    await Promise.all([toolbox.listTools("tools"), toolbox.listTools("tools")]);
    await toolbox.listTools("tools");
    await toolbox.callTool("tools", "lookup", { topic: "fractions" }, never());
    await toolbox.close();
    expect(methods.filter((method) => method === "tools/list")).toHaveLength(1);
    expect(methods.filter((method) => method === "initialize")).toHaveLength(1);
  });

  it("reports a server that is down, answers 500 or stays silent as that server's error, naming no address", async () => {
    const id = newId();
    const toolbox = testToolbox(
      id,
      [
        testServer("tools", MCP_PATHS.main, id),
        downServer(),
        testServer("broken", MCP_PATHS.broken, id),
        testServer("silent", MCP_PATHS.silent, id),
      ],
      { callTimeoutMs: 500 },
    );
    const [ok, down, broken, silent] = await Promise.all(
      ["tools", "down", "broken", "silent"].map((name) => toolbox.listTools(name)),
    );
    await toolbox.close();
    expect(ok?.ok).toBe(true);
    expect(down).toEqual({
      ok: false,
      error: { code: "mcp_unreachable", message: 'The MCP server "down" could not be reached' },
    });
    expect(broken).toEqual({
      ok: false,
      error: { code: "mcp_unreachable", message: 'The MCP server "broken" answered HTTP 500' },
    });
    expect(silent).toEqual({
      ok: false,
      error: { code: "mcp_timeout", message: 'The MCP server "silent" did not answer within 500 ms' },
    });
    for (const outcome of [down, broken, silent]) expectNothingRevealed(JSON.stringify(outcome));
  });
});

describe("Toolbox: calls", () => {
  it("calls a tool with its arguments and returns its text; the server counts one call", async () => {
    const id = newId();
    const toolbox = testToolbox(id);
    const outcome = await toolbox.callTool("tools", "lookup", { topic: "fractions", grade: 4 }, never());
    await toolbox.close();
    expect(outcome).toEqual({ isError: false, output: "standard for fractions (grade 4)" });
    expect((await mcpCounts(id)).calls).toEqual({ lookup: 1 });
  });

  it("sends the server's configured headers on every request", async () => {
    const id = newId();
    const toolbox = testToolbox(id, [
      testServer("with", MCP_PATHS.main, id),
      testServer("without", MCP_PATHS.main, id, { headers: { "x-test-id": id } }),
    ]);
    const withHeaders = await toolbox.callTool("with", "check_header", {}, never());
    const without = await toolbox.callTool("without", "check_header", {}, never());
    await toolbox.close();
    expect(withHeaders).toEqual({ isError: false, output: "authorized" });
    expect(without).toEqual({ isError: true, output: "missing or wrong Authorization header" });
  });

  it("passes a tool's own error result through as isError, without a failure code", async () => {
    const toolbox = testToolbox(newId());
    expect(await toolbox.callTool("tools", "fail", {}, never())).toEqual({
      isError: true,
      output: "the tool failed on purpose",
    });
    await toolbox.close();
  });

  it("describes content that is not text briefly, after the text", async () => {
    const toolbox = testToolbox(newId());
    const outcome = await toolbox.callTool("tools", "mixed", {}, never());
    await toolbox.close();
    expect(outcome.output).toBe(
      "caption\n[image: image/png, 8 bytes]\n[resource link: plan (file:///plans/1.md)]\nembedded notes",
    );
  });

  it("cuts a huge result to MCP_RESULT_MAX_BYTES of UTF-8, never inside a character, and says so", async () => {
    const toolbox = testToolbox(newId(), undefined, { resultMaxBytes: 1_000 });
    const outcome = await toolbox.callTool("tools", "huge", { bytes: 400_000, char: "😀" }, never());
    await toolbox.close();
    const bytes = new TextEncoder().encode(outcome.output).length;
    expect(outcome.isError).toBe(false);
    expect(bytes).toBeLessThanOrEqual(1_000);
    expect(outcome.output).toMatch(/^(😀)+\n\[result cut to 1000 of its 400000 bytes\]$/u);
    expect(bytes).toBeGreaterThan(1_000 - 4);
  });

  it("ends a call that outlasts MCP_CALL_TIMEOUT_MS with a timeout result and cancels it on the server", async () => {
    const id = newId();
    const toolbox = testToolbox(id, undefined, { callTimeoutMs: 400 });
    await toolbox.listTools("tools"); // connected: the deadline below is the call's alone
    const started = Date.now();
    const outcome = await toolbox.callTool("tools", "slow", { ms: 10_000 }, never());
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(outcome).toEqual({
      isError: true,
      output: 'The MCP server "tools" did not answer within 400 ms',
      failure: "mcp_timeout",
    });
    await waitFor(async () => (await mcpCounts(id)).canceled.slow === 1, 5_000, "the server to see the cancel");
    // The session is still good for the next call.
    expect(await toolbox.callTool("tools", "lookup", { topic: "maps" }, never())).toMatchObject({ isError: false });
    await toolbox.close();
  });

  it("rejects with the caller's reason when the caller aborts (a cancel), and the server sees it", async () => {
    const id = newId();
    const toolbox = testToolbox(id);
    const controller = new AbortController();
    const call = toolbox.callTool("tools", "slow", { ms: 10_000 }, controller.signal);
    await waitFor(async () => (await mcpCounts(id)).calls.slow === 1, 5_000, "the call to start");
    controller.abort(new Error("canceled by the user"));
    await expect(call).rejects.toThrow("canceled by the user");
    await waitFor(async () => (await mcpCounts(id)).canceled.slow === 1, 5_000, "the server to see the cancel");
    await toolbox.close();
  });

  it("fails only the call to a server that is down, answers 500 or a protocol error, naming no address", async () => {
    const id = newId();
    const toolbox = testToolbox(id, [
      testServer("tools", MCP_PATHS.main, id),
      downServer(),
      testServer("broken", MCP_PATHS.broken, id),
      testServer("rpc", MCP_PATHS.rpcError, id),
    ]);
    const [down, broken, rpc, ok] = await Promise.all([
      toolbox.callTool("down", "anything", {}, never()),
      toolbox.callTool("broken", "anything", {}, never()),
      toolbox.callTool("rpc", "explode", {}, never()),
      toolbox.callTool("tools", "lookup", { topic: "rivers" }, never()),
    ]);
    await toolbox.close();
    expect(down).toEqual({
      isError: true,
      output: 'The MCP server "down" could not be reached',
      failure: "mcp_unreachable",
    });
    expect(broken).toEqual({
      isError: true,
      output: 'The MCP server "broken" answered HTTP 500',
      failure: "mcp_unreachable",
    });
    expect(rpc).toMatchObject({ isError: true, failure: "mcp_error" });
    expect(rpc.output).toMatch(
      /^The MCP server "rpc" answered an error: database at \[redacted\] is down; see \[redacted\]/,
    );
    expect(rpc.output).not.toMatch(/10\.1\.2\.3|internal\.example|5432|6543/);
    for (const outcome of [down, broken]) expectNothingRevealed(outcome.output);
    expect(ok).toEqual({ isError: false, output: "standard for rivers" });
  });

  it("answers a call to a server that is not configured without trying anything", async () => {
    const toolbox = testToolbox(newId());
    expect(await toolbox.callTool("nope", "x", {}, never())).toEqual({
      isError: true,
      output: 'No MCP server named "nope" is configured',
      failure: "mcp_unknown_tool",
    });
  });
});
