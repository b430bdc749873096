// /api/admin/*: administrators' routes (SPEC §14), behind requireAdmin in app.ts: everyone's usage, the
// audit trail, any user's execution (the read audited), and a user's purge.
import { Hono } from "hono";
import type { AppEnv } from "../app-env";
import { validate } from "../middleware/validator";
import { adminUsageQuery, auditQuery, idParam, userIdParam } from "../schemas/api";
import { auditPage, readAnyExecution } from "../services/admin";
import { usageReport, usageResponse } from "../services/usage";
import { decodeCursor, encodeCursor } from "./params";
import { auditItemView, executionView } from "./views";

export const adminRoutes = new Hono<AppEnv>()
  .get("/usage", validate("query", adminUsageQuery), async (c) => {
    const query = c.req.valid("query");
    return usageResponse(await usageReport(c.var.db, query, {}), query.format, "usage-all");
  })
  .get("/audit", validate("query", auditQuery), async (c) => {
    const { cursor, limit } = c.req.valid("query");
    const after = cursor ? decodeCursor(cursor) : undefined;
    const { rows, more } = await auditPage(c.var.db, limit, after && { at: after.createdAt, id: after.id });
    const last = rows.at(-1);
    return c.json({
      items: rows.map(auditItemView),
      nextCursor: more && last ? encodeCursor({ createdAt: last.at, id: last.id }) : null,
    });
  })
  .get("/executions/:id", validate("param", idParam), async (c) => {
    const { ownerId, record } = await readAnyExecution(
      c.var.db,
      c.var.executions,
      c.var.userId,
      c.req.valid("param").id,
    );
    return c.json({ ...executionView(record), ownerId });
  })
  .delete("/users/:userId/data", validate("param", userIdParam), async (c) => {
    await c.var.deletions.purgeUser(c.var.userId, c.req.valid("param").userId);
    return c.json({ status: "accepted" }, 202);
  });
