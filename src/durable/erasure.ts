// Erasing executions, the same way for a DELETE, a user's data, an admin purge and retention: the
// run's object first (a live run is canceled and its writes settle, then its storage is deleted and a
// tombstone kept), then its R2 object, then its D1 rows with the audit row. In that order nothing can
// re-create what was erased: the tombstone refuses the run's writes and repairs.
import type { AuditEntry } from "../db/audit-log";
import type { Database } from "../db/client";
import { type DeletionTarget, deleteExecutionRows } from "../db/execution-deletion";
import { deleteRecordBlobs, recordKey } from "../db/record-blobs";
import { EVENT_LOG_RETENTION_MS } from "../engine/next-wake";

/** An object forgets an ended run this long after it ended (its log's retention, and an hour for its alarm). */
const OBJECT_HOLDS_MS = EVENT_LOG_RETENTION_MS + 3_600_000;

/** How many objects are erased at once. */
const OBJECTS_AT_ONCE = 50;

export interface ErasureDeps {
  db: Database;
  bucket: R2Bucket;
  /** Erases the run from its object (ExecutionSession.erase); false: the run there is someone else's. */
  eraseObject(executionId: string, ownerId: string): Promise<boolean>;
  now: number;
}

/** `eraseObject` over the execution objects' namespace. */
export const objectEraser =
  (sessions: Env["EXECUTION_SESSION"]) =>
  (executionId: string, ownerId: string): Promise<boolean> =>
    sessions.get(sessions.idFromName(executionId)).erase(ownerId);

/** Whether the execution's object may still hold anything of it (it runs, or ended within its log's retention). */
export const objectMayHold = (target: Pick<DeletionTarget, "completedAt">, now: number): boolean =>
  target.completedAt === null || target.completedAt > now - OBJECT_HOLDS_MS;

/**
 * Erases `targets` (each its owner's, checked by the caller) and records `audit` with the D1 delete.
 * Throws when a store fails: nothing is reported erased then, and the caller tries again.
 */
export async function eraseExecutions(
  deps: ErasureDeps,
  targets: readonly DeletionTarget[],
  audit: readonly AuditEntry[],
): Promise<void> {
  const inObjects = targets.filter((target) => objectMayHold(target, deps.now));
  for (let start = 0; start < inObjects.length; start += OBJECTS_AT_ONCE) {
    await Promise.all(
      inObjects.slice(start, start + OBJECTS_AT_ONCE).map(async (target) => {
        if (!(await deps.eraseObject(target.id, target.ownerId)))
          throw new Error(`the object of execution ${target.id} holds someone else's run`);
      }),
    );
  }
  await deleteRecordBlobs(
    deps.bucket,
    targets.map((target) => recordKey(target.ownerId, target.id)),
  );
  await deleteExecutionRows(
    deps.db,
    targets.map((target) => target.id),
    audit,
  );
}
