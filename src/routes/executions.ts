// /api/executions: create, list, read, follow events, cancel (SPEC §5–6). HTTP only.
import { Hono } from "hono";
import { z } from "zod";
import type { AppEnv } from "../app-env";
import { findOwnExecution, findPromptResults } from "../db/execution-queries";
import type { ExecutionStatus } from "../db/schema";
import { AppError, notFound } from "../lib/errors";
import { signStreamToken, verifyStreamToken } from "../lib/stream-token";
import { validate } from "../lib/validator";
import { executionSummaryView, executionView } from "../lib/views";
import { StreamingService } from "../streaming/streaming-service";
import { idParam } from "./tools";

const STATUSES = ["pending", "running", "completed", "failed", "canceled", "timed_out"] as const satisfies readonly ExecutionStatus[];

export const createExecutionBody = z.strictObject({
  toolId: z.string().min(1).max(128),
  inputs: z.record(z.string(), z.unknown()).default({}),
  /** false creates a pending execution for the original endpoint to run later. */
  start: z.boolean().default(true),
});

export const executionListQuery = z.strictObject({
  toolId: z.string().max(128).optional(),
  status: z.enum(STATUSES).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(20),
  cursor: z.string().max(200).optional(),
});

export const eventsQuery = z.strictObject({
  lastEventId: z.string().max(20).optional(),
  token: z.string().max(2048).optional(),
});

const idempotencyKey = z.string().min(1).max(200);

/** `Last-Event-ID` (header) or `?lastEventId=`: a non-negative integer; absent means from the start. */
export function parseLastEventId(raw: string | undefined): number {
  if (raw === undefined || raw.trim() === "") return 0;
  if (!/^\d{1,15}$/.test(raw.trim())) throw new AppError("validation_failed", "Last-Event-ID must be a non-negative integer");
  return Number(raw.trim());
}

const encodeCursor = (createdAt: number, id: string) => btoa(`${createdAt}:${id}`);
function decodeCursor(cursor: string): { createdAt: number; id: string } {
  try {
    const [createdAt, id] = atob(cursor).split(":");
    if (!createdAt || !id || !/^\d+$/.test(createdAt)) throw new Error("bad cursor");
    return { createdAt: Number(createdAt), id };
  } catch {
    throw new AppError("validation_failed", "Invalid cursor");
  }
}

/** The Idempotency-Key header, validated. */
export function readIdempotencyKey(header: string | undefined): string | null {
  if (header === undefined) return null;
  const parsed = idempotencyKey.safeParse(header);
  if (!parsed.success) throw new AppError("validation_failed", "Idempotency-Key must be 1 to 200 characters");
  return parsed.data;
}

export const executionRoutes = new Hono<AppEnv>()
  .post("/", validate("json", createExecutionBody), async (c) => {
    const body = c.req.valid("json");
    const service = new StreamingService(c.env, c.var.db, c.var.config);
    const { execution, status, replayed } = await service.create(
      c.var.userId,
      { toolId: body.toolId, inputs: body.inputs, idempotencyKey: readIdempotencyKey(c.req.header("Idempotency-Key")) },
      body.start,
    );
    return c.json(
      {
        id: execution.id,
        status,
        eventsUrl: `/api/executions/${execution.id}/events`,
        streamToken: await signStreamToken(c.var.config.jwtSecret, c.var.userId, execution.id),
      },
      replayed ? 200 : 201,
      replayed ? { "Idempotent-Replayed": "true" } : {},
    );
  })
  .get("/", validate("query", executionListQuery), async (c) => {
    const query = c.req.valid("query");
    const rows = await new StreamingService(c.env, c.var.db, c.var.config).list(c.var.userId, {
      toolId: query.toolId,
      status: query.status,
      limit: query.limit,
      cursor: query.cursor ? decodeCursor(query.cursor) : undefined,
    });
    const last = rows.at(-1);
    return c.json({
      executions: rows.map(executionSummaryView),
      nextCursor: rows.length === query.limit && last ? encodeCursor(last.createdAt, last.id) : null,
    });
  })
  .get("/:id", validate("param", idParam), async (c) => {
    const execution = await new StreamingService(c.env, c.var.db, c.var.config).findOwn(c.var.userId, c.req.valid("param").id);
    if (!execution) throw notFound("Execution");
    return c.json(executionView(execution, await findPromptResults(c.var.db, execution.id)));
  })
  .get("/:id/events", validate("param", idParam), validate("query", eventsQuery), async (c) => {
    const { id } = c.req.valid("param");
    const query = c.req.valid("query");
    // With a Bearer header the auth middleware set userId; without one it let a ?token= through for this route.
    const userId = c.req.header("Authorization") ? c.var.userId : await verifyStreamToken(c.var.config.jwtSecret, query.token ?? "", id);
    const service = new StreamingService(c.env, c.var.db, c.var.config);
    const execution = await service.findOwn(userId, id);
    if (!execution) throw notFound("Execution");
    const afterId = parseLastEventId(c.req.header("Last-Event-ID") ?? query.lastEventId);
    return service.eventsResponse(execution, afterId, "events");
  })
  .post("/:id/cancel", validate("param", idParam), async (c) => {
    const service = new StreamingService(c.env, c.var.db, c.var.config);
    const execution = await service.findOwn(c.var.userId, c.req.valid("param").id);
    if (!execution) throw notFound("Execution");
    await service.cancel(execution);
    const after = await findOwnExecution(c.var.db, execution.id, c.var.userId);
    return c.json({ id: execution.id, status: after?.status ?? execution.status });
  });
