// /api/executions: create, list, read, follow events, decide a tool call, cancel, delete (docs/api.md, "Executions"). HTTP only.
import { type Context, Hono } from "hono";
import type { AppEnv } from "../app-env";
import { signStreamToken, verifyStreamToken } from "../lib/stream-token";
import { validate } from "../middleware/validator";
import {
  createExecutionBody,
  eventsQuery,
  executionListQuery,
  idParam,
  rerunBody,
  toolCallDecisionBody,
  toolCallParam,
} from "../schemas/api";
import type { Created } from "../services/executions";
import { decideToolCall } from "../services/tool-calls";
import { decodeCursor, encodeCursor, parseLastEventId, readIdempotencyKey } from "./params";
import { executionSummaryView, executionView, toolCallView } from "./views";

/** `201 {id, status, eventsUrl, streamToken}`, or 200 when an Idempotency-Key replayed it. */
async function createdResponse(c: Context<AppEnv>, { id, status, replayed }: Created): Promise<Response> {
  return c.json(
    {
      id,
      status,
      eventsUrl: `/api/executions/${id}/events`,
      streamToken: await signStreamToken(c.var.config.jwtSecret, c.var.userId, id),
    },
    replayed ? 200 : 201,
    replayed ? { "Idempotent-Replayed": "true" } : {},
  );
}

export const executionRoutes = new Hono<AppEnv>()
  .post("/", validate("json", createExecutionBody), async (c) => {
    // The schema lets exactly one of toolId and draft through.
    const { toolId, draft, ...body } = c.req.valid("json");
    const idempotencyKey = readIdempotencyKey(c.req.header("Idempotency-Key"));
    const created = draft
      ? await c.var.executions.createFromDraft(c.var.userId, { ...body, draft, idempotencyKey })
      : await c.var.executions.create(c.var.userId, { ...body, toolId: toolId ?? "", idempotencyKey });
    return createdResponse(c, created);
  })
  .get("/", validate("query", executionListQuery), async (c) => {
    const { cursor, ...query } = c.req.valid("query");
    const rows = await c.var.executions.list(c.var.userId, {
      ...query,
      cursor: cursor ? decodeCursor(cursor) : undefined,
    });
    const last = rows.at(-1);
    return c.json({
      executions: rows.map(executionSummaryView),
      nextCursor: rows.length === query.limit && last ? encodeCursor(last) : null,
    });
  })
  .get("/:id", validate("param", idParam), async (c) => {
    return c.json(executionView(await c.var.executions.record(c.var.userId, c.req.valid("param").id)));
  })
  .get("/:id/events", validate("param", idParam), validate("query", eventsQuery), async (c) => {
    const { id } = c.req.valid("param");
    const query = c.req.valid("query");
    // A Bearer header or the session cookie set userId; otherwise the middleware let a ?token= through for this route.
    const userId =
      c.var.auth.kind === "stream"
        ? await verifyStreamToken(c.var.config.jwtSecret, query.token ?? "", id)
        : c.var.userId;
    const afterId = parseLastEventId(c.req.header("Last-Event-ID") ?? query.lastEventId);
    return c.var.executions.events(userId, id, afterId, "events");
  })
  .post("/:id/rerun", validate("param", idParam), validate("json", rerunBody), async (c) => {
    const idempotencyKey = readIdempotencyKey(c.req.header("Idempotency-Key"));
    const created = await c.var.executions.rerun(
      c.var.userId,
      c.req.valid("param").id,
      c.req.valid("json"),
      idempotencyKey,
    );
    return createdResponse(c, created);
  })
  .post("/:id/cancel", validate("param", idParam), async (c) => {
    const { id } = c.req.valid("param");
    return c.json({ id, status: await c.var.executions.cancel(c.var.userId, id) });
  })
  .post(
    "/:id/tool-calls/:callId",
    validate("param", toolCallParam),
    validate("json", toolCallDecisionBody),
    async (c) => {
      const { id, callId } = c.req.valid("param");
      return c.json(toolCallView(await decideToolCall(c.env, c.var.userId, id, callId, c.req.valid("json"))));
    },
  )
  .delete("/:id", validate("param", idParam), async (c) => {
    await c.var.deletions.deleteExecution(c.var.userId, c.req.valid("param").id);
    return c.body(null, 204);
  });
