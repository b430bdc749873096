// Puts the parsed config, a Drizzle client and the services on the request context.
import { createMiddleware } from "hono/factory";
import type { AppEnv } from "../app-env";
import { createDb } from "../db/client";
import { getConfig } from "../lib/config";
import { DeletionService } from "../services/deletions";
import { ExecutionService } from "../services/executions";
import { ToolService } from "../services/tools";

/**
 * Makes `c.var.config`, `c.var.db`, `c.var.executions`, `c.var.tools` and `c.var.deletions` available to later handlers.
 * @example app.use(requestContext())
 */
export const requestContext = () =>
  createMiddleware<AppEnv>(async function requestContext(c, next) {
    const config = getConfig(c.env);
    const db = createDb(c.env.DB);
    c.set("config", config);
    c.set("db", db);
    c.set("executions", new ExecutionService(c.env, db, config));
    c.set("tools", new ToolService(c.env, db, config.models, config.mcp));
    c.set("deletions", new DeletionService(c.env));
    await next();
  });
