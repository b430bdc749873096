// GET /api/mcp/tools: every tool of the configured MCP servers that a tool author may pick, and the
// servers that could not be listed. No URL, header or address anywhere in it, error texts included.
import { Hono } from "hono";
import type { AppEnv } from "../app-env";
import { listCatalogue } from "../mcp/catalogue";
import { Toolbox } from "../mcp/toolbox";

export const mcpRoutes = new Hono<AppEnv>().get("/tools", async (c) => {
  // One toolbox per request: each server is asked once, all of them at the same time.
  const toolbox = new Toolbox(c.var.config.mcp);
  try {
    return c.json(await listCatalogue(toolbox));
  } finally {
    await toolbox.close();
  }
});
