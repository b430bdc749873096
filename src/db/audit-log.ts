// The audit trail (SPEC §14): who deleted, purged, changed a shared tool or read someone else's
// execution, when. Rows hold ids, never content.
import { and, desc, eq, lt, or, sql } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import type { Database } from "./client";
import { type AuditAction, type AuditRow, auditLog, tools } from "./schema";

export interface AuditEntry {
  at: number;
  actor: string;
  action: AuditAction;
  target: { type: string; id: string };
}

/** The insert of one audit row (for a batch that does what it records). */
export const auditInsert = (db: Database, entry: AuditEntry) =>
  db.insert(auditLog).values({
    id: crypto.randomUUID(),
    at: entry.at,
    actor: entry.actor,
    action: entry.action,
    targetType: entry.target.type,
    targetId: entry.target.id,
  });

/**
 * For the batch that changes or deletes a tool, placed before that write: records `tool.shared_changed`
 * when the tool is shared before the change (read in the same transaction) or `sharedAfter` it. Nothing
 * when the tool is not the owner's: the write that follows changes nothing either.
 */
export function sharedToolChangeAudit(
  db: Database,
  change: { at: number; actor: string; toolId: string; ownerId: string; sharedAfter: boolean },
): BatchItem<"sqlite"> {
  const action: AuditAction = "tool.shared_changed";
  return db.insert(auditLog).select(
    db
      .select({
        id: sql<string>`${crypto.randomUUID()}`.as("id"),
        at: sql<number>`${change.at}`.as("at"),
        actor: sql<string>`${change.actor}`.as("actor"),
        action: sql<AuditAction>`${action}`.as("action"),
        targetType: sql<string>`'tool'`.as("target_type"),
        targetId: tools.id,
      })
      .from(tools)
      .where(
        and(
          eq(tools.id, change.toolId),
          eq(tools.ownerId, change.ownerId),
          change.sharedAfter ? undefined : eq(tools.visibility, "shared"),
        ),
      ),
  );
}

/** Records one audit row. */
export async function recordAudit(db: Database, entry: AuditEntry): Promise<void> {
  await auditInsert(db, entry);
}

/** Audit rows, newest first, after `cursor` (the last row of the previous page). */
export function listAudit(db: Database, limit: number, cursor?: { at: number; id: string }): Promise<AuditRow[]> {
  const older = cursor
    ? or(lt(auditLog.at, cursor.at), and(eq(auditLog.at, cursor.at), lt(auditLog.id, cursor.id)))
    : undefined;
  return db.select().from(auditLog).where(older).orderBy(desc(auditLog.at), desc(auditLog.id)).limit(limit);
}

/**
 * The audit rows of a bulk deletion of an owner's tools (their data deleted, or purged): one
 * `tool.shared_changed` per shared tool among them, read in the same batch before the delete.
 */
export function sharedToolsDeletedAudit(
  db: Database,
  deletion: { at: number; actor: string; ownerId: string },
): BatchItem<"sqlite"> {
  const action: AuditAction = "tool.shared_changed";
  return db.insert(auditLog).select(
    db
      .select({
        id: sql<string>`lower(hex(randomblob(16)))`.as("id"),
        at: sql<number>`${deletion.at}`.as("at"),
        actor: sql<string>`${deletion.actor}`.as("actor"),
        action: sql<AuditAction>`${action}`.as("action"),
        targetType: sql<string>`'tool'`.as("target_type"),
        targetId: tools.id,
      })
      .from(tools)
      .where(and(eq(tools.ownerId, deletion.ownerId), eq(tools.visibility, "shared"))),
  );
}
