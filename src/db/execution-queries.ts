// Execution reads and the atomic create: the concurrency check, the execution and its pending
// prompt results are one D1 batch, so a burst can never exceed the per-user limit.
import { and, asc, desc, eq, lt, or, type SQL } from "drizzle-orm";
import type { Database } from "./client";
import { promptOutputParts, promptResults, toolExecutions, type ExecutionRow, type PromptResultRow, type PromptRow } from "./schema";
import { type ExecutionStatus } from "../schemas/statuses";

export interface NewExecution {
  id: string;
  /** `running` when the run starts right away (the object then only records prompts), else `pending`. */
  status: "pending" | "running";
  createdAt: number;
  ownerId: string;
  toolId: string;
  toolName: string;
  inputs: Record<string, unknown>;
  idempotencyKey: string | null;
  durableObjectId: string;
  prompts: readonly PromptRow[];
}

export type CreateOutcome = "created" | "limit_reached" | "idempotency_conflict";

/** How many executions one user may hold live, and how long a pending one lives. */
export interface SlotLimits {
  maxConcurrent: number;
  /** A pending execution older than this holds no slot, cannot start, and is expired (canceled). */
  pendingTtlMs: number;
}

/** The live executions of owner ?2 other than ?1: running, or pending and younger than created_at ?3. */
const LIVE_OTHERS = `(SELECT count(*) FROM tool_executions
   WHERE owner_id = ?2 AND id != ?1 AND (status = 'running' OR (status = 'pending' AND created_at > ?3)))`;

/**
 * Inserts the execution and its pending prompt results if the owner has fewer than
 * `maxConcurrent` live executions. One statement decides, so concurrent calls cannot both win.
 */
export async function insertExecutionWithinLimit(d1: D1Database, execution: NewExecution, limits: SlotLimits): Promise<CreateOutcome> {
  const now = execution.createdAt;
  const insertExecution = d1
    .prepare(
      `INSERT INTO tool_executions (id, owner_id, tool_id, tool_name, status, inputs, idempotency_key, durable_object_id, created_at, started_at)
       SELECT ?1, ?2, ?5, ?6, ?7, ?8, ?9, ?10, ?11, CASE WHEN ?7 = 'running' THEN ?11 END
       WHERE ${LIVE_OTHERS} < ?4
       ON CONFLICT (owner_id, idempotency_key) DO NOTHING`,
    )
    .bind(
      execution.id, // ?1
      execution.ownerId, // ?2
      now - limits.pendingTtlMs, // ?3
      limits.maxConcurrent, // ?4
      execution.toolId, // ?5
      execution.toolName, // ?6
      execution.status, // ?7
      JSON.stringify(execution.inputs), // ?8
      execution.idempotencyKey, // ?9
      execution.durableObjectId, // ?10
      now, // ?11
    );
  // One bound parameter carries every prompt (D1 allows 100 per statement; a tool has up to 20 prompts).
  const rows = execution.prompts.map((prompt) => ({
    id: crypto.randomUUID(),
    promptId: prompt.id,
    name: prompt.name,
    position: prompt.position,
    ordinal: prompt.ordinal,
    model: prompt.model,
  }));
  const insertResults = d1
    .prepare(
      `INSERT INTO prompt_results (id, execution_id, prompt_id, name, position, ordinal, model, status)
       SELECT json_extract(value, '$.id'), ?1, json_extract(value, '$.promptId'), json_extract(value, '$.name'),
              json_extract(value, '$.position'), json_extract(value, '$.ordinal'), json_extract(value, '$.model'), 'pending'
       FROM json_each(?2)
       WHERE EXISTS (SELECT 1 FROM tool_executions WHERE id = ?1)`,
    )
    .bind(execution.id, JSON.stringify(rows));
  const [inserted] = await d1.batch([insertExecution, insertResults]);
  if ((inserted?.meta.changes ?? 0) > 0) return "created";
  if (execution.idempotencyKey !== null) {
    const existing = await d1
      .prepare("SELECT 1 FROM tool_executions WHERE owner_id = ? AND idempotency_key = ?")
      .bind(execution.ownerId, execution.idempotencyKey)
      .first();
    if (existing) return "idempotency_conflict";
  }
  return "limit_reached";
}

export type StartOutcome = "started" | "not_pending" | "expired" | "limit_reached";

/**
 * Marks a pending execution running under the same atomic limit as a create: it must be pending,
 * younger than the pending TTL, and its owner must have fewer than `maxConcurrent` other live ones.
 */
export async function markPendingRunning(d1: D1Database, execution: { id: string; ownerId: string }, startedAt: number, limits: SlotLimits): Promise<StartOutcome> {
  const cutoff = startedAt - limits.pendingTtlMs;
  const result = await d1
    .prepare(
      `UPDATE tool_executions SET status = 'running', started_at = ?5
       WHERE id = ?1 AND status = 'pending' AND created_at > ?3 AND ${LIVE_OTHERS} < ?4`,
    )
    .bind(execution.id, execution.ownerId, cutoff, limits.maxConcurrent, startedAt)
    .run();
  if (result.meta.changes > 0) return "started";
  const row = await d1.prepare("SELECT status, created_at AS createdAt FROM tool_executions WHERE id = ?").bind(execution.id).first<{ status: string; createdAt: number }>();
  if (row?.status !== "pending") return "not_pending";
  return row.createdAt <= cutoff ? "expired" : "limit_reached";
}

export async function findExecutionByIdempotencyKey(db: Database, ownerId: string, key: string): Promise<ExecutionRow | undefined> {
  const [row] = await db
    .select()
    .from(toolExecutions)
    .where(and(eq(toolExecutions.ownerId, ownerId), eq(toolExecutions.idempotencyKey, key)));
  return row;
}

/** The caller's own execution, or undefined (someone else's looks exactly like a missing one). */
export async function findOwnExecution(db: Database, id: string, ownerId: string): Promise<ExecutionRow | undefined> {
  const [row] = await db
    .select()
    .from(toolExecutions)
    .where(and(eq(toolExecutions.id, id), eq(toolExecutions.ownerId, ownerId)));
  return row;
}

/** An execution's prompt results in run order, long outputs reassembled from their parts. */
export async function findPromptResults(db: Database, executionId: string): Promise<PromptResultRow[]> {
  const [results, parts] = await db.batch([
    db.select().from(promptResults).where(eq(promptResults.executionId, executionId)).orderBy(asc(promptResults.ordinal)),
    db.select().from(promptOutputParts).where(eq(promptOutputParts.executionId, executionId)).orderBy(asc(promptOutputParts.promptId), asc(promptOutputParts.part)),
  ]);
  if (parts.length === 0) return results;
  return results.map((result) => {
    const rest = parts.filter((part) => part.promptId === result.promptId).map((part) => part.text);
    return rest.length === 0 ? result : { ...result, output: result.output + rest.join("") };
  });
}

export interface ExecutionListQuery {
  toolId?: string;
  status?: ExecutionStatus;
  limit: number;
  cursor?: { createdAt: number; id: string };
}

/** The owner's executions, newest first, keyset-paginated on (createdAt, id). */
export async function listExecutions(db: Database, ownerId: string, query: ExecutionListQuery): Promise<ExecutionRow[]> {
  const conditions: SQL[] = [eq(toolExecutions.ownerId, ownerId)];
  if (query.toolId) conditions.push(eq(toolExecutions.toolId, query.toolId));
  if (query.status) conditions.push(eq(toolExecutions.status, query.status));
  if (query.cursor) {
    const { createdAt, id } = query.cursor;
    const older = or(lt(toolExecutions.createdAt, createdAt), and(eq(toolExecutions.createdAt, createdAt), lt(toolExecutions.id, id)));
    if (older) conditions.push(older);
  }
  return db
    .select()
    .from(toolExecutions)
    .where(and(...conditions))
    .orderBy(desc(toolExecutions.createdAt), desc(toolExecutions.id))
    .limit(query.limit);
}
