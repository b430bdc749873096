// POST /api/assistant-architect/stream: the original endpoint, kept for existing clients. Same engine,
// original frame format (unnamed `data: {"type": ...}` frames with ids).
import { Hono } from "hono";
import { z } from "zod";
import type { AppEnv } from "../app-env";
import type { ExecutionRow } from "../db/schema";
import { AppError, notFound } from "../lib/errors";
import { validate } from "../lib/validator";
import { StreamingService } from "../streaming/streaming-service";
import { parseLastEventId, readIdempotencyKey } from "./executions";

export const streamBody = z
  .strictObject({
    toolId: z.string().min(1).max(128),
    inputs: z.record(z.string(), z.unknown()).optional(),
    executionId: z.string().min(1).max(128).optional(),
  })
  .refine((body) => body.inputs !== undefined || body.executionId !== undefined, {
    message: "Send inputs (to start a new execution) or executionId (of your pending execution, optionally with its inputs)",
  });

export const assistantArchitectRoutes = new Hono<AppEnv>().post("/stream", validate("json", streamBody), async (c) => {
  const body = c.req.valid("json");
  const service = new StreamingService(c.env, c.var.db, c.var.config);
  let execution: ExecutionRow;
  if (body.executionId) {
    const existing = await service.findOwn(c.var.userId, body.executionId);
    if (!existing) throw notFound("Execution");
    if (existing.toolId !== body.toolId) throw new AppError("validation_failed", "executionId belongs to another tool");
    // Pending: run it now. Already started (a retried request): attach to the same run, never a second one.
    // Inputs sent beside executionId (as the original client does) must be the ones it was created with.
    await service.attach(c.var.userId, existing, body.inputs);
    execution = existing;
  } else {
    const idempotencyKey = readIdempotencyKey(c.req.header("Idempotency-Key"));
    execution = (await service.create(c.var.userId, { toolId: body.toolId, inputs: body.inputs ?? {}, idempotencyKey }, true)).execution;
  }
  const afterId = parseLastEventId(c.req.header("Last-Event-ID"));
  return service.eventsResponse(execution, afterId, "legacy", { "X-Execution-Id": execution.id });
});
