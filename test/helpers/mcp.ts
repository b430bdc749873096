// The test MCP server from inside tests: servers configured against it (each test counted apart by its
// own id header), toolboxes over them, and what the server saw.
import { env } from "cloudflare:workers";
import type { ApprovalSetting, McpConfig, McpServerConfig } from "../../src/lib/mcp-config";
import { Toolbox } from "../../src/mcp/toolbox";
import { MCP_PATHS, MCP_TEST_TOKEN, type McpCallCounts, TEST_ID_HEADER } from "../upstream/mcp-names";

/** A server entry on the test MCP server (`path` one of MCP_PATHS), sending the test's id and the token. */
export function testServer(
  name: string,
  path: string,
  testId: string,
  options: { approval?: ApprovalSetting; headers?: Record<string, string> } = {},
): McpServerConfig {
  return {
    name,
    url: `${env.MCP_TEST_URL}${path}`,
    approval: options.approval ?? "unless_read_only",
    headers: options.headers ?? { Authorization: MCP_TEST_TOKEN, [TEST_ID_HEADER]: testId },
  };
}

/** A server entry with no listener behind its URL. */
export const downServer = (name = "down"): McpServerConfig => ({
  name,
  url: env.MCP_DOWN_URL,
  approval: "unless_read_only",
  headers: {},
});

/** A toolbox over `servers` (the main test server as "tools" when none are given). */
export function testToolbox(
  testId: string,
  servers: McpServerConfig[] = [testServer("tools", MCP_PATHS.main, testId)],
  limits: Partial<Pick<McpConfig, "callTimeoutMs" | "resultMaxBytes">> = {},
): Toolbox {
  return new Toolbox({
    servers: new Map(servers.map((server) => [server.name, server])),
    callTimeoutMs: limits.callTimeoutMs ?? 2_000,
    resultMaxBytes: limits.resultMaxBytes ?? 1_048_576,
  });
}

/** What the test MCP server saw from the test `testId`. */
export async function mcpCounts(testId: string): Promise<McpCallCounts> {
  const response = await fetch(`${env.MCP_TEST_URL}/__counts?testId=${encodeURIComponent(testId)}`);
  return (await response.json()) as McpCallCounts;
}
