// CORS for the browser origins listed in CORS_ORIGINS ("*" allows any).
import { cors } from "hono/cors";
import { createMiddleware } from "hono/factory";
import type { AppEnv } from "../app-env";
import { getConfig } from "../lib/config";

const handler = cors({
  origin: (origin, c) => {
    const allowed = getConfig(c.env as Env).corsOrigins;
    if (allowed.includes("*")) return origin || "*";
    return allowed.includes(origin) ? origin : null;
  },
  allowMethods: ["GET", "POST", "PUT", "DELETE", "OPTIONS"],
  allowHeaders: ["Authorization", "Content-Type", "Idempotency-Key", "Last-Event-ID"],
  exposeHeaders: ["X-Execution-Id", "Retry-After", "X-Request-Id"],
  maxAge: 600,
});

/**
 * Answers preflights and adds CORS headers for configured origins only.
 * @example app.use(corsFromConfig())
 */
export const corsFromConfig = () =>
  createMiddleware<AppEnv>(async function corsFromConfig(c, next) {
    const response = await handler(c, next);
    return response ?? undefined;
  });
