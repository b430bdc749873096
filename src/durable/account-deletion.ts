// A user's deletions, run by their account: one execution (DELETE /api/executions/:id) and everything
// they have (DELETE /api/me/data, an admin purge). A deletion is hidden from every read the moment it
// is accepted (user/deletions.ts), then erased (erasure.ts): a single one within its request, all of a
// user's in bounded batches from the account's alarm. Whatever a failing store leaves is tried again
// from the alarm, so an accepted deletion always completes.
import type { AuditEntry } from "../db/audit-log";
import { auditInsert, sharedToolsDeletedAudit } from "../db/audit-log";
import type { Database } from "../db/client";
import { type DeletionTarget, deleteOwnToolsStatement, findOwnTarget, targetsBefore } from "../db/execution-deletion";
import { describeError, log } from "../lib/log";
import { type ErasureDeps, eraseExecutions } from "./erasure";
import type { Admission } from "./user/admission";
import type { DeletionRequest, Deletions } from "./user/deletions";

/** Executions a batch of a user's data takes. */
export const DATA_BATCH = 500;
/** Single deletions the alarm retries at a time. */
const QUEUE_BATCH = 50;
/** How soon a deletion a store failed is tried again. */
export const DELETION_RETRY_MS = 5_000;
/** An alarm hands over to the next after this much work (its time and subrequests stay bounded). */
const ALARM_WORK_MS = 20_000;

export interface DeletionHost {
  deletions: Deletions;
  admission: Admission;
  erasure(): ErasureDeps;
  db(): Database;
  /** Asks for the alarm at `at` (ms); the account keeps the earliest. */
  wakeAt(at: number): Promise<void>;
}

/** An execution the account deleted by itself, as erasure needs it (its object is always asked). */
const singleTarget = (id: string, ownerId: string): DeletionTarget => ({
  id,
  ownerId,
  createdAt: 0,
  completedAt: null,
});

export class AccountDeletion {
  constructor(private readonly host: DeletionHost) {}

  /**
   * Deletes `userId`'s execution: hidden at once, erased before this answers (or, when a store
   * fails, from the alarm). false: not theirs, or already deleted.
   */
  async deleteOne(userId: string, executionId: string, actor: string): Promise<boolean> {
    const { deletions, admission } = this.host;
    deletions.rememberOwner(userId);
    const view = deletions.view(executionId);
    if (view.deleted) return false;
    const known = admission.createdAt(executionId);
    const createdAt = known ?? (await findOwnTarget(this.host.db(), executionId, userId))?.createdAt;
    if (createdAt === undefined || createdAt < deletions.before()) return false;
    // A D1 read above let other calls in: one of them may have deleted it meanwhile.
    if (deletions.view(executionId).deleted) return false;
    const now = this.host.erasure().now;
    deletions.hide(executionId, actor, now);
    admission.forget(executionId);
    try {
      await this.eraseQueued(userId, [{ id: executionId, actor }]);
    } catch (error) {
      log("error", "an execution's deletion will be retried", { executionId, error: describeError(error) });
      await this.host.wakeAt(now + DELETION_RETRY_MS);
    }
    return true;
  }

  /**
   * Deletes everything `userId` has: their tools now (with the audit row), their executions hidden
   * now and erased in batches from the alarm.
   */
  async deleteAll(userId: string, request: DeletionRequest): Promise<void> {
    const { deletions, admission } = this.host;
    deletions.rememberOwner(userId);
    const now = this.host.erasure().now;
    deletions.deleteBefore(now, request);
    for (const id of admission.forgetBefore(now)) deletions.hide(id, request.actor, now);
    const db = this.host.db();
    const audit: AuditEntry = {
      at: now,
      actor: request.actor,
      action: request.action,
      target: { type: "user", id: userId },
    };
    await db.batch([
      sharedToolsDeletedAudit(db, { at: now, actor: request.actor, ownerId: userId }),
      deleteOwnToolsStatement(db, userId),
      auditInsert(db, audit),
    ]);
    await this.host.wakeAt(now);
  }

  /** The alarm's work: queued single deletions, then batches of a user's data, until done or its time is up. */
  async work(): Promise<void> {
    const { deletions } = this.host;
    const userId = deletions.owner();
    if (!userId) return;
    const started = Date.now();
    try {
      for (let queued = deletions.queued(QUEUE_BATCH); queued.length > 0; queued = deletions.queued(QUEUE_BATCH)) {
        await this.eraseQueued(userId, queued);
        if (Date.now() - started > ALARM_WORK_MS) return await this.host.wakeAt(this.host.erasure().now);
      }
      while (deletions.dataDeletion()) {
        await this.dataBatch(userId);
        if (Date.now() - started > ALARM_WORK_MS) return await this.host.wakeAt(this.host.erasure().now);
      }
    } catch (error) {
      log("error", "a user's deletion will be retried", { userId, error: describeError(error) });
      await this.host.wakeAt(this.host.erasure().now + DELETION_RETRY_MS);
    }
  }

  private async eraseQueued(userId: string, queued: readonly { id: string; actor: string }[]): Promise<void> {
    const erasure = this.host.erasure();
    const audit = queued.map(
      (item): AuditEntry => ({
        at: erasure.now,
        actor: item.actor,
        action: "execution.deleted",
        target: { type: "execution", id: item.id },
      }),
    );
    await eraseExecutions(
      erasure,
      queued.map((item) => singleTarget(item.id, userId)),
      audit,
    );
    for (const item of queued) this.host.deletions.erased(item.id);
  }

  /** One batch of a user's data; the last finds fewer than a batch and ends the deletion. */
  private async dataBatch(userId: string): Promise<void> {
    const data = this.host.deletions.dataDeletion();
    if (!data) return;
    const erasure = this.host.erasure();
    const batch = await targetsBefore(erasure.db, userId, data.before, DATA_BATCH);
    await eraseExecutions(erasure, batch, []);
    if (batch.length < DATA_BATCH) this.host.deletions.finishData();
  }
}
