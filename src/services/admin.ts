// What administrators do besides reports (SPEC §14): read anyone's execution, each read of another user's
// recorded in the audit trail, and page through that trail.
import { listAudit, recordAudit } from "../db/audit-log";
import type { Database } from "../db/client";
import { findExecutionOwner } from "../db/execution-owner";
import type { AuditRow } from "../db/schema";
import { notFound } from "../lib/errors";
import type { ExecutionRecord } from "./execution-reads";
import type { ExecutionService } from "./executions";

/**
 * Any user's execution, read as its owner would read it (from its object while it runs, else D1). The
 * owner comes from D1's index, so a run is readable here once its object has indexed it (at its start).
 * Reading another user's is recorded (`admin.read`) before the record is returned: no unaudited read.
 */
export async function readAnyExecution(
  db: Database,
  executions: ExecutionService,
  adminId: string,
  executionId: string,
  now = Date.now(),
): Promise<{ ownerId: string; record: ExecutionRecord }> {
  const ownerId = await findExecutionOwner(db, executionId);
  if (ownerId === undefined) throw notFound("Execution");
  const record = await executions.record(ownerId, executionId);
  if (ownerId !== adminId)
    await recordAudit(db, {
      at: now,
      actor: adminId,
      action: "admin.read",
      target: { type: "execution", id: executionId },
    });
  return { ownerId, record };
}

/** A page of the audit trail, newest first, after `after` (the last row of the previous page). */
export async function auditPage(
  db: Database,
  limit: number,
  after?: { at: number; id: string },
): Promise<{ rows: AuditRow[]; more: boolean }> {
  // One row more than asked for says whether there is a next page, so the last page ends without an empty one.
  const rows = await listAudit(db, limit + 1, after);
  return { rows: rows.slice(0, limit), more: rows.length > limit };
}
