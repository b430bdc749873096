// Authentication for /api/* (docs/api.md, "Authentication"): `Authorization: Bearer`, or the `aas_session`
// cookie (with the Origin rule for unsafe methods); stream tokens are checked by the events route.
import type { Context } from "hono";
import { getCookie } from "hono/cookie";
import { createMiddleware } from "hono/factory";
import type { AppEnv } from "../app-env";
import { AppError } from "../lib/errors";
import { isAdmin } from "../lib/identity";
import { verifyAccessToken } from "../lib/jwt";
import { originAllowed, UNSAFE_METHODS } from "../lib/origin";
import { SESSION_COOKIE } from "../lib/session-token";
import { rememberProfile, resumeSession } from "../services/accounts";

/** Longer Authorization headers are refused before any parsing (no real token comes near it). */
export const MAX_AUTHORIZATION_BYTES = 8 * 1024;

export interface AuthOptions {
  /**
   * Lets a request through without credentials when it carries `?token=`;
   * the route that accepts stream tokens must verify it. Defaults to never.
   */
  allowStreamToken?: (path: string) => boolean;
}

/** Runs `promise` after the response when the runtime offers a context (tests calling the app directly may not). */
function inBackground(c: Context<AppEnv>): (promise: Promise<unknown>) => void {
  return (promise) => {
    try {
      c.executionCtx.waitUntil(promise);
    } catch {
      void promise;
    }
  };
}

async function fromBearer(c: Context<AppEnv>, header: string): Promise<void> {
  if (header.length > MAX_AUTHORIZATION_BYTES)
    throw new AppError("unauthorized", `Authorization header is longer than ${MAX_AUTHORIZATION_BYTES} bytes`);
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  if (!match?.[1]) throw new AppError("unauthorized", "Authorization header must be 'Bearer <token>'");
  const { userId, ...profile } = await verifyAccessToken(match[1], c.var.config);
  c.set("userId", userId);
  c.set("auth", { kind: "bearer", ...profile, isAdmin: isAdmin(c.var.config.admins, userId, profile) });
  rememberProfile(c.env, userId, profile, inBackground(c));
}

async function fromCookie(c: Context<AppEnv>, cookie: string): Promise<void> {
  // Checked before the session, so a cross-site request costs no object call.
  if (UNSAFE_METHODS.has(c.req.method) && !originAllowed(c.req.url, c.req.header("Origin"), c.var.config.corsOrigins))
    throw new AppError(
      "forbidden",
      "A request signed in by cookie that changes something must come from this service's page (Origin)",
    );
  const { userId, profile } = await resumeSession(c.env, c.var.config, cookie);
  c.set("userId", userId);
  c.set("auth", { kind: "cookie", ...profile, isAdmin: isAdmin(c.var.config.admins, userId, profile) });
}

/**
 * Requires credentials and sets `c.var.userId` and `c.var.auth`: a Bearer token (it wins when a
 * session cookie comes too), a `?token=` on the paths that take stream tokens, or the session cookie.
 * @example app.use("/api/*", authenticate({ allowStreamToken: (p) => p.endsWith("/events") }))
 */
export const authenticate = (options: AuthOptions = {}) => {
  const allowStreamToken = options.allowStreamToken ?? (() => false);
  return createMiddleware<AppEnv>(async function authenticate(c, next) {
    const header = c.req.header("Authorization");
    if (header) await fromBearer(c, header);
    else if (c.req.query("token") !== undefined && allowStreamToken(c.req.path))
      c.set("auth", { kind: "stream", isAdmin: false });
    else {
      const cookie = getCookie(c, SESSION_COOKIE);
      if (cookie === undefined) throw new AppError("unauthorized", "Missing Authorization header");
      await fromCookie(c, cookie);
    }
    await next();
  });
};
