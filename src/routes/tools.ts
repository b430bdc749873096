// /api/tools: create, list, read, replace and delete tools (SPEC §4). HTTP only; queries live in src/db.
import { Hono } from "hono";
import { z } from "zod";
import type { AppEnv } from "../app-env";
import { deleteTool, findReadableTool, insertTool, listTools, replaceTool } from "../db/tool-queries";
import { notFound } from "../lib/errors";
import { assertToolIsConsistent, toolBodySchema } from "../lib/tool-definition";
import { validate } from "../lib/validator";
import { toolSummaryView, toolView } from "../lib/views";

export const idParam = z.strictObject({ id: z.string().min(1).max(128) });

export const toolListQuery = z.strictObject({
  scope: z.enum(["all", "mine", "shared"]).default("all"),
  limit: z.coerce.number().int().min(1).max(200).default(100),
});

export const toolRoutes = new Hono<AppEnv>()
  .post("/", validate("json", toolBodySchema), async (c) => {
    const body = c.req.valid("json");
    assertToolIsConsistent(body);
    const id = await insertTool(c.var.db, c.var.userId, body);
    const record = await findReadableTool(c.var.db, id, c.var.userId);
    if (!record) throw notFound("Tool");
    return c.json(toolView(record, c.var.userId), 201, { Location: `/api/tools/${id}` });
  })
  .get("/", validate("query", toolListQuery), async (c) => {
    const { scope, limit } = c.req.valid("query");
    const rows = await listTools(c.var.db, c.var.userId, scope, limit);
    return c.json({ tools: rows.map((row) => toolSummaryView(row, c.var.userId)) });
  })
  .get("/:id", validate("param", idParam), async (c) => {
    const record = await findReadableTool(c.var.db, c.req.valid("param").id, c.var.userId);
    if (!record) throw notFound("Tool");
    return c.json(toolView(record, c.var.userId));
  })
  .put("/:id", validate("param", idParam), validate("json", toolBodySchema), async (c) => {
    const { id } = c.req.valid("param");
    const body = c.req.valid("json");
    assertToolIsConsistent(body);
    if (!(await replaceTool(c.var.db, id, c.var.userId, body))) throw notFound("Tool");
    const record = await findReadableTool(c.var.db, id, c.var.userId);
    if (!record) throw notFound("Tool");
    return c.json(toolView(record, c.var.userId));
  })
  .delete("/:id", validate("param", idParam), async (c) => {
    if (!(await deleteTool(c.var.db, c.req.valid("param").id, c.var.userId))) throw notFound("Tool");
    return c.body(null, 204);
  });
