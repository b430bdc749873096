// Execution reads and the atomic create: the concurrency check, the execution and its pending
// prompt results are one D1 batch, so a burst can never exceed the per-user limit. The conditional
// statements are raw SQL (Drizzle has no INSERT … SELECT … WHERE); values are bound where they stand.
import { and, asc, desc, eq, getTableColumns, lt, or, type SQL, sql } from "drizzle-orm";
import { SQLiteAsyncDialect } from "drizzle-orm/sqlite-core";
import type { ExecutionStatus } from "../schemas/statuses";
import type { Database } from "./client";
import {
  type ExecutionRow,
  type FieldSnapshot,
  type PromptResultRow,
  type PromptRow,
  promptOutputParts,
  promptResults,
  storedToolId,
  toolExecutions,
} from "./schema";

export interface NewExecution {
  id: string;
  /** `running` when the run starts right away (the object then only records prompts), else `pending`. */
  status: "pending" | "running";
  createdAt: number;
  ownerId: string;
  /** Null for a draft run (an unsaved tool). */
  toolId: string | null;
  toolName: string;
  inputs: Record<string, unknown>;
  idempotencyKey: string | null;
  requestFingerprint: string | null;
  durableObjectId: string;
  onPromptError: "stop" | "continue";
  inputFields: FieldSnapshot[];
  sourceExecutionId: string | null;
  fromPromptId: string | null;
  /** The tool's budget as it ran, and the run's (the lower of the tool's and the request's); micro-dollars. */
  toolBudgetMicros: number | null;
  budgetMicros: number | null;
  /** The prompts as they will run (a rerun's overrides applied). */
  prompts: readonly PromptSnapshot[];
}

/** A prompt as an execution keeps it. */
export type PromptSnapshot = Pick<
  PromptRow,
  "id" | "name" | "position" | "ordinal" | "model" | "systemContext" | "content" | "temperature" | "maxTokens"
>;

export type CreateOutcome = "created" | "limit_reached" | "idempotency_conflict";

/** How many executions one user may hold live, and how long a pending one lives. */
export interface SlotLimits {
  maxConcurrent: number;
  /** A pending execution older than this holds no slot, cannot start, and is expired (canceled). */
  pendingTtlMs: number;
}

const dialect = new SQLiteAsyncDialect();

/**
 * A raw statement for a D1 batch, values bound where they stand in the template (Drizzle's own batch
 * cannot take raw SQL with parameters).
 */
function statement(db: Database, query: SQL): D1PreparedStatement {
  const { sql: text, params } = dialect.sqlToQuery(query);
  return db.$client.prepare(text).bind(...params);
}

/** The owner's live executions other than `executionId`: running, or pending and created after `pendingCutoff`. */
const liveOthers = (
  ownerId: string,
  executionId: string,
  pendingCutoff: number,
) => sql`(SELECT count(*) FROM tool_executions
  WHERE owner_id = ${ownerId} AND id != ${executionId} AND (status = 'running' OR (status = 'pending' AND created_at > ${pendingCutoff})))`;

/**
 * Inserts the execution and its pending prompt results if the owner has fewer than
 * `maxConcurrent` live executions. One statement decides, so concurrent calls cannot both win.
 */
export async function insertExecutionWithinLimit(
  db: Database,
  execution: NewExecution,
  limits: SlotLimits,
): Promise<CreateOutcome> {
  const now = execution.createdAt;
  const startedAt = execution.status === "running" ? now : null;
  const insertExecution = statement(
    db,
    sql`INSERT INTO tool_executions
      (id, owner_id, tool_id, tool_name, status, inputs, idempotency_key, request_fingerprint, durable_object_id,
       created_at, started_at, on_prompt_error, input_fields, source_execution_id, from_prompt_id, tool_budget_micros,
       budget_micros)
    SELECT ${execution.id}, ${execution.ownerId}, ${storedToolId(execution.toolId)}, ${execution.toolName}, ${execution.status},
      ${JSON.stringify(execution.inputs)}, ${execution.idempotencyKey}, ${execution.requestFingerprint},
      ${execution.durableObjectId}, ${now}, ${startedAt}, ${execution.onPromptError}, ${JSON.stringify(execution.inputFields)},
      ${execution.sourceExecutionId}, ${execution.fromPromptId}, ${execution.toolBudgetMicros}, ${execution.budgetMicros}
    WHERE ${liveOthers(execution.ownerId, execution.id, now - limits.pendingTtlMs)} < ${limits.maxConcurrent}
    ON CONFLICT (owner_id, idempotency_key) DO NOTHING`,
  );
  // One bound parameter carries every prompt (D1 allows 100 per statement; a tool has up to 20 prompts).
  const rows = execution.prompts.map((prompt) => ({
    id: crypto.randomUUID(),
    promptId: prompt.id,
    name: prompt.name,
    position: prompt.position,
    ordinal: prompt.ordinal,
    model: prompt.model,
    systemContext: prompt.systemContext,
    content: prompt.content,
    temperature: prompt.temperature,
    maxTokens: prompt.maxTokens,
  }));
  const insertResults = statement(
    db,
    sql`INSERT INTO prompt_results (id, execution_id, prompt_id, name, position, ordinal, model, system_context, content,
      temperature, max_tokens, status)
    SELECT json_extract(value, '$.id'), ${execution.id}, json_extract(value, '$.promptId'), json_extract(value, '$.name'),
      json_extract(value, '$.position'), json_extract(value, '$.ordinal'), json_extract(value, '$.model'),
      json_extract(value, '$.systemContext'), json_extract(value, '$.content'), json_extract(value, '$.temperature'),
      json_extract(value, '$.maxTokens'), 'pending'
    FROM json_each(${JSON.stringify(rows)})
    WHERE EXISTS (SELECT 1 FROM tool_executions WHERE id = ${execution.id})`,
  );
  const [inserted] = await db.$client.batch([insertExecution, insertResults]);
  if ((inserted?.meta.changes ?? 0) > 0) return "created";
  if (
    execution.idempotencyKey !== null &&
    (await findExecutionByIdempotencyKey(db, execution.ownerId, execution.idempotencyKey))
  ) {
    return "idempotency_conflict";
  }
  return "limit_reached";
}

export type StartOutcome = "started" | "not_pending" | "expired" | "limit_reached";

/**
 * Marks a pending execution running under the same atomic limit as a create: it must be pending,
 * younger than the pending TTL, and its owner must have fewer than `maxConcurrent` other live ones.
 */
export async function markPendingRunning(
  db: Database,
  execution: { id: string; ownerId: string },
  startedAt: number,
  limits: SlotLimits,
): Promise<StartOutcome> {
  const cutoff = startedAt - limits.pendingTtlMs;
  const result = await db.run(sql`UPDATE tool_executions SET status = 'running', started_at = ${startedAt}
    WHERE id = ${execution.id} AND status = 'pending' AND created_at > ${cutoff}
      AND ${liveOthers(execution.ownerId, execution.id, cutoff)} < ${limits.maxConcurrent}`);
  if (result.meta.changes > 0) return "started";
  const [row] = await db
    .select({ status: toolExecutions.status, createdAt: toolExecutions.createdAt })
    .from(toolExecutions)
    .where(eq(toolExecutions.id, execution.id));
  if (row?.status !== "pending") return "not_pending";
  return row.createdAt <= cutoff ? "expired" : "limit_reached";
}

export async function findExecutionByIdempotencyKey(
  db: Database,
  ownerId: string,
  key: string,
): Promise<ExecutionRow | undefined> {
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

/** One prompt's output in an execution that completed it (a rerun reuses it), whole however long. */
export async function findPromptOutput(
  db: Database,
  executionId: string,
  promptId: string,
): Promise<string | undefined> {
  const [result] = (await findPromptResults(db, executionId)).filter(
    (row) => row.promptId === promptId && row.status === "completed",
  );
  return result?.output;
}

/** An execution's prompt results in run order, long outputs reassembled from their parts. */
export async function findPromptResults(db: Database, executionId: string): Promise<PromptResultRow[]> {
  const [results, parts] = await db.batch([
    db
      .select()
      .from(promptResults)
      .where(eq(promptResults.executionId, executionId))
      .orderBy(asc(promptResults.ordinal)),
    db
      .select()
      .from(promptOutputParts)
      .where(eq(promptOutputParts.executionId, executionId))
      .orderBy(asc(promptOutputParts.promptId), asc(promptOutputParts.part)),
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
  /** Only the reruns of this execution. */
  sourceExecutionId?: string;
  /** Text the inputs or an output preview contain (case-insensitive for A–Z). */
  q?: string;
  limit: number;
  cursor?: { createdAt: number; id: string };
}

/** Code points of a prompt's output that its preview keeps (SPEC §13), and that `q` searches. */
export const OUTPUT_PREVIEW_CHARS = 280;

/** An execution in a list, with its output preview: that of its last prompt with output. */
export type ListedExecution = ExecutionRow & { outputPreview: string | null };

// Written with table names: Drizzle leaves columns unqualified in a one-table select, and inside these
// subqueries an unqualified `id` would be the prompt result's. SQLite's substr counts characters (code
// points), as the preview does. Last prompt with output: the highest position, then the last in run order.
const outputPreview = sql<string | null>`(SELECT substr(preview.output, 1, ${OUTPUT_PREVIEW_CHARS})
  FROM prompt_results AS preview WHERE preview.execution_id = tool_executions.id AND preview.output != ''
  ORDER BY preview.position DESC, preview.ordinal DESC LIMIT 1)`;

/** `q` as a LIKE pattern that matches it anywhere, its own `%`, `_` and `\` taken literally. */
const containing = (q: string) => `%${q.replace(/[\\%_]/g, (char) => `\\${char}`)}%`;

/**
 * Executions whose inputs (any value, inside lists too) or any prompt's output preview contain `q`.
 * Outputs are searched through their first 280 characters only, so the meaning stays when outputs
 * move out of D1 and only previews stay.
 */
function matching(q: string): SQL {
  const pattern = containing(q);
  return sql`(EXISTS (SELECT 1 FROM json_tree(tool_executions.inputs) WHERE atom IS NOT NULL
      AND CAST(atom AS TEXT) LIKE ${pattern} ESCAPE '\\')
    OR EXISTS (SELECT 1 FROM prompt_results AS searched WHERE searched.execution_id = tool_executions.id
      AND substr(searched.output, 1, ${OUTPUT_PREVIEW_CHARS}) LIKE ${pattern} ESCAPE '\\'))`;
}

/** The owner's executions, newest first, keyset-paginated on (createdAt, id). */
export async function listExecutions(
  db: Database,
  ownerId: string,
  query: ExecutionListQuery,
): Promise<ListedExecution[]> {
  const conditions: SQL[] = [eq(toolExecutions.ownerId, ownerId)];
  if (query.toolId) conditions.push(eq(toolExecutions.toolId, query.toolId));
  if (query.status) conditions.push(eq(toolExecutions.status, query.status));
  if (query.sourceExecutionId) conditions.push(eq(toolExecutions.sourceExecutionId, query.sourceExecutionId));
  if (query.q) conditions.push(matching(query.q));
  if (query.cursor) {
    const { createdAt, id } = query.cursor;
    const older = or(
      lt(toolExecutions.createdAt, createdAt),
      and(eq(toolExecutions.createdAt, createdAt), lt(toolExecutions.id, id)),
    );
    if (older) conditions.push(older);
  }
  return db
    .select({ ...getTableColumns(toolExecutions), outputPreview })
    .from(toolExecutions)
    .where(and(...conditions))
    .orderBy(desc(toolExecutions.createdAt), desc(toolExecutions.id))
    .limit(query.limit);
}
