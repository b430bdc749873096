// /demo/mcp/:server: the offline demo MCP servers (lesson, classroom), served only when DEMO_MCP_SERVERS
// is "true" (.dev.vars.example sets it for `npm start`; never on in production). Unauthenticated, like
// any MCP server reached by URL: they read nothing and change nothing.
import { Hono } from "hono";
import type { AppEnv } from "../app-env";
import { AppError } from "../lib/errors";
import { serveDemoMcp } from "../mcp/demo-servers";

export const demoMcpRoutes = new Hono<AppEnv>().all("/:server", async (c) => {
  const response = c.var.config.demoMcpServers ? await serveDemoMcp(c.req.param("server"), c.req.raw) : null;
  if (!response) throw new AppError("not_found", `No route for ${c.req.method} ${c.req.path}`);
  return response;
});
