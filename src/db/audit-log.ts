// The audit trail (SPEC §14): who deleted, purged, changed a shared tool or read someone else's
// execution, when. Rows hold ids, never content.
import { and, desc, eq, lt, or } from "drizzle-orm";
import type { Database } from "./client";
import { type AuditAction, type AuditRow, auditLog } from "./schema";

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
