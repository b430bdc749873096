// When an execution's object must next wake up, computed from what it stores: the one input to the
// one place that arms its alarm. A pending execution wakes to expire; a running run wakes at its
// deadline and beats at least every HEARTBEAT_MS (an object that died mid-run is found and continues,
// its lease renewed); an ended run wakes to repair its record while D1 owes it, then once more when
// its event log's retention ends.
import { nextApprovalTimeout } from "./agent-decisions";
import type { RunState } from "./run-state";

/** A running run's alarm rings at least this often: a life of its object that died is found within it. */
export const HEARTBEAT_MS = 30_000;
/** How long a finished execution's event log is kept; replays are rebuilt from D1 after that. */
export const EVENT_LOG_RETENTION_MS = 24 * 60 * 60_000;
/** How soon a failed D1 write of an ended run is tried again. */
export const D1_REPAIR_RETRY_MS = 10_000;

export type WakeReason = "deadline" | "heartbeat" | "repair" | "retention" | "pending expiry" | "approval timeout";

export interface WakeUp {
  at: number;
  reason: WakeReason;
}

/** The earliest time something is due for `run`, and why; null when nothing ever is (no run). */
export function nextWake(run: RunState | undefined, now: number): WakeUp | null {
  if (!run) return null;
  if (run.status === "pending" && run.pendingUntil !== null) return { at: run.pendingUntil, reason: "pending expiry" };
  if (run.finishedAt === null) {
    const approval = nextApprovalTimeout(run);
    const timeout: WakeUp | null = approval === null ? null : { at: approval, reason: "approval timeout" };
    // A waiting run holds no lease and its cap stands still: only a call's approval timeout wakes it.
    if (run.status === "waiting") return timeout;
    const beat = now + HEARTBEAT_MS;
    const due: WakeUp =
      run.deadline <= beat ? { at: run.deadline, reason: "deadline" } : { at: beat, reason: "heartbeat" };
    return timeout && timeout.at < due.at ? timeout : due;
  }
  if (run.owesSnapshot) return { at: run.repairAt ?? now, reason: "repair" };
  return { at: run.finishedAt + EVENT_LOG_RETENTION_MS, reason: "retention" };
}
