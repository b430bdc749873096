// CORS for the browser origins listed in CORS_ORIGINS ("*" allows any). Only origins listed by name may
// send the session cookie (credentials): "*" opens the API to Bearer clients, never to cookies.
import { cors } from "hono/cors";
import { createMiddleware } from "hono/factory";
import type { AppEnv } from "../app-env";
import { getConfig } from "../lib/config";

const corsFor = (credentials: boolean) =>
  cors({
    origin: (origin, c) => {
      const allowed = getConfig(c.env as Env).corsOrigins;
      if (allowed.includes("*")) return origin || "*";
      return allowed.includes(origin) ? origin : null;
    },
    allowMethods: ["GET", "POST", "PUT", "DELETE", "OPTIONS"],
    allowHeaders: ["Authorization", "Content-Type", "Idempotency-Key", "Last-Event-ID"],
    exposeHeaders: ["X-Execution-Id", "Retry-After", "X-Request-Id"],
    maxAge: 600,
    credentials,
  });

const named = corsFor(true);
const open = corsFor(false);

/**
 * Answers preflights and adds CORS headers for configured origins only.
 * @example app.use(corsFromConfig())
 */
export const corsFromConfig = () =>
  createMiddleware<AppEnv>(async function corsFromConfig(c, next) {
    const origin = c.req.header("Origin");
    const listed = origin !== undefined && getConfig(c.env).corsOrigins.includes(origin);
    const response = await (listed ? named : open)(c, next);
    return response ?? undefined;
  });
