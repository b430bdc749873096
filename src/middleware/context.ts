// Puts the parsed config and a Drizzle client on the request context.
import { createMiddleware } from "hono/factory";
import type { AppEnv } from "../app-env";
import { createDb } from "../db/client";
import { getConfig } from "../lib/config";

/**
 * Makes `c.var.config` and `c.var.db` available to later handlers.
 * @example app.use(requestContext())
 */
export const requestContext = () =>
  createMiddleware<AppEnv>(async function requestContext(c, next) {
    c.set("config", getConfig(c.env));
    c.set("db", createDb(c.env.DB));
    await next();
  });
