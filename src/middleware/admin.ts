// The administrators' guard for /api/admin/* (SPEC §14, ADMINS): everyone else gets the unknown-route 404.
import { createMiddleware } from "hono/factory";
import type { AppEnv } from "../app-env";
import { noRoute } from "../lib/errors";

/**
 * Lets administrators (`c.var.auth.isAdmin`, set by `authenticate`) through; answers everyone else exactly
 * as a path that does not exist, so the admin routes cannot be discovered. Mount after `authenticate`.
 * @example app.use("/api/admin/*", requireAdmin())
 */
export const requireAdmin = () =>
  createMiddleware<AppEnv>(async function requireAdmin(c, next) {
    if (c.var.auth?.isAdmin !== true) throw noRoute(c.req.method, c.req.path);
    await next();
  });
