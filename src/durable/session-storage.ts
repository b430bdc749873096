// What the execution's object keeps in its own storage besides the event log: the plan (written
// once), the small run state (rewritten as the run moves) and a pending execution's expiry.
import type { ExecutionPlan } from "../engine/plan";
import type { SessionState } from "../engine/state";

/** The object's storage as the run uses it (a seam: the benchmark counts writes through it). */
export interface SessionStorage {
  sql: SqlStorage;
  kv: SyncKvStorage;
}

/** When a pending execution expires if nobody starts it. */
export interface PendingExpiry {
  executionId: string;
  createdAt: number;
  ttlMs: number;
}

const PLAN = "plan";
const STATE = "state";
const PENDING_EXPIRY = "pendingExpiry";

/** The stored run, if this object has one. */
export function loadState(kv: SyncKvStorage): SessionState | undefined {
  const saved = kv.get<Omit<SessionState, "plan">>(STATE);
  const plan = kv.get<ExecutionPlan>(PLAN);
  return saved && plan ? { ...saved, plan } : undefined;
}

/** The plan (every prompt's content) is written once, at the start. */
export const savePlan = (kv: SyncKvStorage, plan: ExecutionPlan): void => kv.put(PLAN, plan);

/** The small state, rewritten at every change; the plan stays where `savePlan` put it. */
export function saveState(kv: SyncKvStorage, state: SessionState): void {
  const { plan: _plan, ...rest } = state;
  kv.put(STATE, rest);
}

export const loadPendingExpiry = (kv: SyncKvStorage): PendingExpiry | undefined =>
  kv.get<PendingExpiry>(PENDING_EXPIRY);

export const savePendingExpiry = (kv: SyncKvStorage, expiry: PendingExpiry): void => kv.put(PENDING_EXPIRY, expiry);
