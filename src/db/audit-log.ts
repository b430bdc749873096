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
  return db.run(sql`
    insert into ${auditLog} (id, at, actor, action, target_type, target_id)
    select ${crypto.randomUUID()}, ${change.at}, ${change.actor}, ${"tool.shared_changed" satisfies AuditAction}, 'tool', ${tools.id}
    from ${tools}
    where ${tools.id} = ${change.toolId} and ${tools.ownerId} = ${change.ownerId}
      and (${tools.visibility} = 'shared' or ${change.sharedAfter ? 1 : 0} = 1)`);
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
