// /api/tools: create, list, read, replace and delete tools (docs/api.md, "Tools"). HTTP only.
import { Hono } from "hono";
import type { AppEnv } from "../app-env";
import { validate } from "../middleware/validator";
import { idParam, toolListQuery } from "../schemas/api";
import { toolBodySchema } from "../schemas/tool";
import { toolSummaryView, toolView } from "./views";

export const toolRoutes = new Hono<AppEnv>()
  .post("/", validate("json", toolBodySchema), async (c) => {
    const record = await c.var.tools.create(c.var.userId, c.req.valid("json"));
    return c.json(toolView(record, c.var.userId), 201, { Location: `/api/tools/${record.tool.id}` });
  })
  .get("/", validate("query", toolListQuery), async (c) => {
    const { scope, limit, sort } = c.req.valid("query");
    const rows = await c.var.tools.list(c.var.userId, scope, limit, sort);
    return c.json({ tools: rows.map((row) => toolSummaryView(row, c.var.userId)) });
  })
  .get("/:id", validate("param", idParam), async (c) => {
    return c.json(toolView(await c.var.tools.get(c.var.userId, c.req.valid("param").id), c.var.userId));
  })
  .put("/:id", validate("param", idParam), validate("json", toolBodySchema), async (c) => {
    const record = await c.var.tools.replace(c.var.userId, c.req.valid("param").id, c.req.valid("json"));
    return c.json(toolView(record, c.var.userId));
  })
  .delete("/:id", validate("param", idParam), async (c) => {
    await c.var.tools.delete(c.var.userId, c.req.valid("param").id);
    return c.body(null, 204);
  });
