// POST /api/assistant-architect/stream: the original endpoint, kept for existing clients. Same engine,
// original frame format (unnamed `data: {"type": ...}` frames with ids).
import { Hono } from "hono";
import type { AppEnv } from "../app-env";
import type { ExecutionRow } from "../db/schema";
import { AppError, notFound } from "../lib/errors";
import { validate } from "../middleware/validator";
import { streamBody } from "../schemas/api";
import { parseLastEventId, readIdempotencyKey } from "./params";

export const assistantArchitectRoutes = new Hono<AppEnv>().post("/stream", validate("json", streamBody), async (c) => {
  const body = c.req.valid("json");
  const executions = c.var.executions;
  let execution: ExecutionRow;
  if (body.executionId) {
    const existing = await executions.findOwn(c.var.userId, body.executionId);
    if (!existing) throw notFound("Execution");
    if (existing.toolId !== body.toolId) throw new AppError("validation_failed", "executionId belongs to another tool");
    // Pending: run it now. Already started (a retried request): attach to the same run, never a second one.
    // Inputs sent beside executionId (as the original client does) must be the ones it was created with.
    await executions.attach(c.var.userId, existing, body.inputs);
    execution = existing;
  } else {
    const idempotencyKey = readIdempotencyKey(c.req.header("Idempotency-Key"));
    execution = (
      await executions.create(c.var.userId, {
        toolId: body.toolId,
        inputs: body.inputs ?? {},
        idempotencyKey,
        start: true,
      })
    ).execution;
  }
  const afterId = parseLastEventId(c.req.header("Last-Event-ID"));
  return executions.events(execution, afterId, "legacy", { "X-Execution-Id": execution.id });
});
