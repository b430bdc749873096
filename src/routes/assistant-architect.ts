// POST /api/assistant-architect/stream: the original endpoint, kept for existing clients. Same engine,
// original frame format (unnamed `data: {"type": ...}` frames with ids).
import { Hono } from "hono";
import type { AppEnv } from "../app-env";
import { validate } from "../middleware/validator";
import { streamBody } from "../schemas/api";
import { parseLastEventId, readIdempotencyKey } from "./params";

export const assistantArchitectRoutes = new Hono<AppEnv>().post("/stream", validate("json", streamBody), async (c) => {
  const body = c.req.valid("json");
  const { response } = await c.var.executions.stream(c.var.userId, {
    ...body,
    // A retried request with an executionId attaches to the same run; without one, a key makes a retry safe.
    idempotencyKey: body.executionId ? null : readIdempotencyKey(c.req.header("Idempotency-Key")),
    afterId: parseLastEventId(c.req.header("Last-Event-ID")),
  });
  return response;
});
