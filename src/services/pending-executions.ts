// The life of a pending execution (created with start:false for the original endpoint): it holds a
// slot until started or until PENDING_TTL_MS has passed, then it is expired (canceled, `expired`).
import type { Database } from "../db/client";
import { ExecutionRecords } from "../db/execution-records";
import type { ExecutionRow } from "../db/schema";
import type { ExecutionSession } from "../durable/execution-session";
import { AppError } from "../lib/errors";
import { describeError, log } from "../lib/log";

export class PendingExecutions {
  constructor(
    private readonly db: Database,
    private readonly ttlMs: number,
  ) {}

  /** Pending and past its TTL: it must be expired before anything else happens to it. */
  isStale(execution: ExecutionRow, now = Date.now()): boolean {
    return execution.status === "pending" && execution.createdAt <= now - this.ttlMs;
  }

  /** Cancels the records of a pending execution past its TTL; no-op if it started meanwhile. */
  expire(execution: ExecutionRow): Promise<boolean> {
    return new ExecutionRecords(this.db, execution.id).expirePending(execution.createdAt, Date.now(), this.ttlMs);
  }

  /** A cancel before it started: canceled, every prompt skipped. */
  cancel(execution: ExecutionRow): Promise<void> {
    return new ExecutionRecords(this.db, execution.id).finishExecution({
      status: "canceled",
      error: null,
      completedAt: Date.now(),
      endedRunningAs: "canceled",
    });
  }

  /** The object's alarm expires the execution on time even if nobody reads it again. */
  async scheduleExpiry(stub: DurableObjectStub<ExecutionSession>, execution: ExecutionRow): Promise<void> {
    try {
      await stub.expirePendingAt({ executionId: execution.id, createdAt: execution.createdAt, ttlMs: this.ttlMs });
    } catch (error) {
      // The next read expires it instead; the slot is never held past the TTL either way.
      log("warn", "could not schedule a pending execution's expiry", {
        executionId: execution.id,
        error: describeError(error),
      });
    }
  }

  /** What starting an expired execution answers. */
  expiredConflict(): AppError {
    return new AppError(
      "conflict",
      `This execution was not started within ${this.ttlMs} ms of its creation and has expired; create a new one`,
    );
  }
}
