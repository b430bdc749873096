// Execution reads from D1's index: one execution, its prompt results (long outputs reassembled), a
// rerun's source output, and the owner's list. Writes are the execution's object's (execution-records.ts).
import { and, asc, desc, eq, getTableColumns, lt, or, type SQL, sql } from "drizzle-orm";
import type { ExecutionStatus } from "../schemas/statuses";
import type { Database } from "./client";
import type { ListedExecutionRow } from "./execution-summary";
import { type ExecutionRow, type PromptResultRow, promptOutputParts, promptResults, toolExecutions } from "./schema";

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

/** `q` as a LIKE pattern that matches it anywhere, its own `%`, `_` and `\` taken literally. */
const containing = (q: string) => `%${q.replace(/[\\%_]/g, (char) => `\\${char}`)}%`;

/**
 * Executions whose inputs (any value, inside lists too, for a row from before 0011 that keeps them; else
 * their one-line preview, as R2 alone keeps them whole) or any prompt's
 * output preview contain `q`. A row from before previews is searched through its output's first 280
 * characters, the same span. Written with table names: in these subqueries an unqualified `id` would
 * be the prompt result's.
 */
function matching(q: string): SQL {
  const pattern = containing(q);
  return sql`(EXISTS (SELECT 1 FROM json_tree(tool_executions.inputs) WHERE atom IS NOT NULL
      AND CAST(atom AS TEXT) LIKE ${pattern} ESCAPE '\\')
    OR (tool_executions.inputs = '{}' AND tool_executions.inputs_preview LIKE ${pattern} ESCAPE '\\')
    OR EXISTS (SELECT 1 FROM prompt_results AS searched WHERE searched.execution_id = tool_executions.id
      AND coalesce(searched.output_preview, substr(searched.output, 1, 280)) LIKE ${pattern} ESCAPE '\\'))`;
}

/**
 * A list item's output preview: its last prompt's with output (highest position; among equals, the
 * last in run order), as `lastResultPreview` picks it; a row from before previews gives its output's
 * first 280 characters. Read through prompt_results' key (execution_id, prompt_id).
 */
const lastPromptPreview = sql<string | null>`(SELECT coalesce(last.output_preview, substr(last.output, 1, 280))
    FROM prompt_results AS last WHERE last.execution_id = tool_executions.id
      AND (last.output_preview IS NOT NULL OR last.output <> '')
    ORDER BY last.position DESC, last.ordinal DESC LIMIT 1)`;

/** The owner's executions, newest first, keyset-paginated on (createdAt, id). */
export async function listExecutions(
  db: Database,
  ownerId: string,
  query: ExecutionListQuery,
): Promise<ListedExecutionRow[]> {
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
    .select({ ...getTableColumns(toolExecutions), outputPreview: lastPromptPreview })
    .from(toolExecutions)
    .where(and(...conditions))
    .orderBy(desc(toolExecutions.createdAt), desc(toolExecutions.id))
    .limit(query.limit);
}
