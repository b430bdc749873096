// Vitest global setup: starts the scripted upstream and the test MCP server for the whole run and
// provides their URLs (and one where nothing listens).
import type { TestProject } from "vitest/node";
import { TestMcpServer, unusedUrl } from "./mcp-server";
import { ScriptedUpstream } from "./server";

declare module "vitest" {
  export interface ProvidedContext {
    upstreamUrl: string;
    /** The test MCP server's base URL (its paths: mcp-names.ts). */
    mcpUrl: string;
    /** An MCP server URL with no listener (a server that is down). */
    mcpDownUrl: string;
  }
}

export default async function setup(project: TestProject) {
  const upstream = new ScriptedUpstream();
  const mcp = new TestMcpServer();
  project.provide("upstreamUrl", await upstream.start());
  project.provide("mcpUrl", await mcp.start());
  project.provide("mcpDownUrl", await unusedUrl());
  return async () => {
    await Promise.all([upstream.stop(), mcp.stop()]);
  };
}
