// D1's side of deleting executions: finding what to delete (one of the owner's, all of an owner's
// before a moment, every one that ended before the retention cut) and deleting their rows (prompt
// results and output parts cascade), with the audit row in the same batch. Spending entries stay: they
// hold no content, and the daily cap and the usage reports read them (SPEC §13).
import { and, asc, eq, inArray, isNotNull, lt } from "drizzle-orm";
import { type AuditEntry, auditInsert } from "./audit-log";
import type { Database } from "./client";
import { toolExecutions, tools } from "./schema";

/** An execution as deletion needs it: whose it is and whether its object may still hold it. */
export interface DeletionTarget {
  id: string;
  ownerId: string;
  createdAt: number;
  /** When it ended; null while it runs (or when D1 does not know it yet). */
  completedAt: number | null;
}

const targetColumns = {
  id: toolExecutions.id,
  ownerId: toolExecutions.ownerId,
  createdAt: toolExecutions.createdAt,
  completedAt: toolExecutions.completedAt,
};

/** The owner's execution `id`, or undefined (someone else's looks the same). */
export async function findOwnTarget(db: Database, id: string, ownerId: string): Promise<DeletionTarget | undefined> {
  const [row] = await db
    .select(targetColumns)
    .from(toolExecutions)
    .where(and(eq(toolExecutions.id, id), eq(toolExecutions.ownerId, ownerId)));
  return row;
}

/** Up to `limit` of the owner's executions created before `before`, oldest first. */
export function targetsBefore(db: Database, ownerId: string, before: number, limit: number): Promise<DeletionTarget[]> {
  return db
    .select(targetColumns)
    .from(toolExecutions)
    .where(and(eq(toolExecutions.ownerId, ownerId), lt(toolExecutions.createdAt, before)))
    .orderBy(asc(toolExecutions.createdAt))
    .limit(limit);
}

/** Up to `limit` executions of anyone that ended before `endedBefore`, oldest first (retention). */
export function targetsEndedBefore(db: Database, endedBefore: number, limit: number): Promise<DeletionTarget[]> {
  return db
    .select(targetColumns)
    .from(toolExecutions)
    .where(and(isNotNull(toolExecutions.completedAt), lt(toolExecutions.completedAt, endedBefore)))
    .orderBy(asc(toolExecutions.completedAt))
    .limit(limit);
}

/** Deletes the rows of `ids` (their results cascade) and records `audit` in the same batch. */
export async function deleteExecutionRows(
  db: Database,
  ids: readonly string[],
  audit: readonly AuditEntry[],
): Promise<void> {
  if (ids.length === 0 && audit.length === 0) return;
  // D1 binds at most 100 parameters a statement.
  const deletes = [];
  for (let start = 0; start < ids.length; start += 90)
    deletes.push(db.delete(toolExecutions).where(inArray(toolExecutions.id, ids.slice(start, start + 90))));
  const statements = [...deletes, ...audit.map((entry) => auditInsert(db, entry))];
  const [first, ...rest] = statements;
  if (first) await db.batch([first, ...rest]);
}

/** The delete of every tool the owner made (their fields and prompts cascade; executions keep their records). */
export const deleteOwnToolsStatement = (db: Database, ownerId: string) =>
  db.delete(tools).where(eq(tools.ownerId, ownerId));
