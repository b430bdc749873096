// Bearer-token authentication for /api/* (docs/api.md, "Authentication"); stream tokens are checked by the events route.
import { createMiddleware } from "hono/factory";
import type { AppEnv } from "../app-env";
import { AppError } from "../lib/errors";
import { verifyAccessToken } from "../lib/jwt";

/** Longer Authorization headers are refused before any parsing (no real token comes near it). */
export const MAX_AUTHORIZATION_BYTES = 8 * 1024;

export interface AuthOptions {
  /**
   * Lets a request through without a Bearer header when it carries `?token=`;
   * the route that accepts stream tokens must verify it. Defaults to never.
   */
  allowStreamToken?: (path: string) => boolean;
}

/**
 * Requires `Authorization: Bearer <JWT>` and sets `c.var.userId` from `sub`.
 * @example app.use("/api/*", authenticate({ allowStreamToken: (p) => p.endsWith("/events") }))
 */
export const authenticate = (options: AuthOptions = {}) => {
  const allowStreamToken = options.allowStreamToken ?? (() => false);
  return createMiddleware<AppEnv>(async function authenticate(c, next) {
    const header = c.req.header("Authorization");
    if (!header && c.req.query("token") !== undefined && allowStreamToken(c.req.path)) {
      await next();
      return;
    }
    if (!header) throw new AppError("unauthorized", "Missing Authorization header");
    if (header.length > MAX_AUTHORIZATION_BYTES)
      throw new AppError("unauthorized", `Authorization header is longer than ${MAX_AUTHORIZATION_BYTES} bytes`);
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (!match?.[1]) throw new AppError("unauthorized", "Authorization header must be 'Bearer <token>'");
    c.set("userId", await verifyAccessToken(match[1], c.var.config));
    await next();
  });
};
