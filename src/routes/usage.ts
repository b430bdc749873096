// /api/usage: the caller's own usage per day, tool or model (docs/api.md, "Usage reports"). HTTP only.
import { Hono } from "hono";
import type { AppEnv } from "../app-env";
import { validate } from "../middleware/validator";
import { usageQuery } from "../schemas/api";
import { usageReport, usageResponse } from "../services/usage";

export const usageRoutes = new Hono<AppEnv>().get("/", validate("query", usageQuery), async (c) => {
  const query = c.req.valid("query");
  const report = await usageReport(c.var.db, query, { ownerId: c.var.userId });
  return usageResponse(report, query.format, "usage");
});
