// The records the object writes at the end and after it: the end of a run (the execution row and
// every open prompt in one batch, or the whole snapshot when earlier writes were missed), their
// repair, and a pending execution's expiry. Each failure is logged and reported, never thrown.
import type { ExecutionRecords, ExecutionSnapshot } from "../db/execution-records";
import type { Ending } from "../engine/endings";
import { type SessionState, totalCost } from "../engine/state";
import { describeError, log } from "../lib/log";
import type { PendingExpiry } from "./session-storage";

export interface FinalWrite {
  ending: Ending;
  now: number;
  /** Whether any prompt was still pending or running (else only the execution row changes). */
  promptsOpen: boolean;
}

/** True when D1 holds the final state; false when it is still owed (the alarm retries). */
export async function writeFinalRecords(
  records: ExecutionRecords,
  state: SessionState,
  snapshot: () => ExecutionSnapshot,
  end: FinalWrite,
): Promise<boolean> {
  try {
    if (state.owesSnapshot) await records.writeSnapshot(snapshot());
    else
      await records.finishExecution({
        status: end.ending.status,
        error: end.ending.error,
        completedAt: end.now,
        endedRunningAs: end.ending.runningBecomes,
        promptsOpen: end.promptsOpen,
        costMicros: totalCost(state),
      });
    return true;
  } catch (error) {
    log("error", "D1 final write failed; will retry from the alarm", {
      executionId: state.plan.executionId,
      error: describeError(error),
    });
    return false;
  }
}

/** Writes the whole final state once D1 answers again; true when it did. */
export async function repairRecords(records: ExecutionRecords, snapshot: ExecutionSnapshot): Promise<boolean> {
  try {
    await records.writeSnapshot(snapshot);
    return true;
  } catch (error) {
    log("warn", "D1 still unavailable; record repair postponed", {
      executionId: records.executionId,
      error: describeError(error),
    });
    return false;
  }
}

/** Expires a pending execution nobody started (a no-op if it started); true when D1 answered. */
export async function expirePendingRecords(
  records: ExecutionRecords,
  expiry: PendingExpiry,
  now: number,
): Promise<boolean> {
  try {
    await records.expirePending(expiry.createdAt, now, expiry.ttlMs);
    return true;
  } catch (error) {
    log("warn", "D1 unavailable; pending expiry postponed", {
      executionId: expiry.executionId,
      error: describeError(error),
    });
    return false;
  }
}
