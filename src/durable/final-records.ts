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

/** Runs one D1 write; a failure is logged (with what happens next) and answered false, never thrown. */
async function written(
  records: ExecutionRecords,
  write: () => Promise<unknown>,
  failure: { level: "error" | "warn"; message: string },
): Promise<boolean> {
  try {
    await write();
    return true;
  } catch (error) {
    log(failure.level, failure.message, { executionId: records.executionId, error: describeError(error) });
    return false;
  }
}

/** True when D1 holds the final state; false when it is still owed (the alarm retries). */
export function writeFinalRecords(
  records: ExecutionRecords,
  state: SessionState,
  snapshot: () => ExecutionSnapshot,
  end: FinalWrite,
): Promise<boolean> {
  const write = () =>
    state.owesSnapshot
      ? records.writeSnapshot(snapshot())
      : records.finishExecution({
          status: end.ending.status,
          error: end.ending.error,
          completedAt: end.now,
          endedRunningAs: end.ending.runningBecomes,
          promptsOpen: end.promptsOpen,
          costMicros: totalCost(state),
        });
  return written(records, write, { level: "error", message: "D1 final write failed; will retry from the alarm" });
}

/** Writes the whole final state once D1 answers again; true when it did. */
export function repairRecords(records: ExecutionRecords, snapshot: ExecutionSnapshot): Promise<boolean> {
  return written(records, () => records.writeSnapshot(snapshot), {
    level: "warn",
    message: "D1 still unavailable; record repair postponed",
  });
}

/** Expires a pending execution nobody started (a no-op if it started); true when D1 answered. */
export function expirePendingRecords(records: ExecutionRecords, expiry: PendingExpiry, now: number): Promise<boolean> {
  return written(records, () => records.expirePending(expiry.createdAt, now, expiry.ttlMs), {
    level: "warn",
    message: "D1 unavailable; pending expiry postponed",
  });
}
