// /api/admin/*: administrators' routes (SPEC §14), behind requireAdmin in app.ts: a user's purge here;
// usage reports, the audit trail and admin reads come beside it.
import { Hono } from "hono";
import type { AppEnv } from "../app-env";
import { validate } from "../middleware/validator";
import { userIdParam } from "../schemas/api";

export const adminRoutes = new Hono<AppEnv>().delete(
  "/users/:userId/data",
  validate("param", userIdParam),
  async (c) => {
    await c.var.deletions.purgeUser(c.var.userId, c.req.valid("param").userId);
    return c.json({ status: "accepted" }, 202);
  },
);
