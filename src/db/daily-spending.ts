// The owner's spending per UTC day (USER_DAILY_BUDGET_MICROS), from the executions D1 holds: an
// ended execution counts its cost; a live one the larger of its cost and what it holds. This is the
// D1 implementation of the run's budget ledger (engine/spending.ts): a run sets what it holds with
// one conditional statement, so concurrent runs of one owner never hold more than the cap.
import { sql } from "drizzle-orm";
import type { Database } from "./client";

export const DAY_MS = 86_400_000;

/** The UTC day `at` falls in: its start, in ms since the epoch. */
export const dayStart = (at: number): number => at - (at % DAY_MS);

/** What executions of `ownerId` created in [`from`, `from` + one day) spent or hold, `except` one of them. */
const spentSince = (ownerId: string, from: ReturnType<typeof sql>, except = "") => sql`(SELECT coalesce(sum(
    CASE WHEN status IN ('pending', 'running') THEN max(coalesce(cost_micros, 0), reserved_micros)
    ELSE coalesce(cost_micros, 0) END), 0)
  FROM tool_executions WHERE owner_id = ${ownerId} AND id != ${except}
    AND created_at >= ${from} AND created_at < ${from} + ${DAY_MS})`;

/** Micro-dollars `ownerId` spent or holds on the UTC day of `at`. */
export async function spentOnDay(db: Database, ownerId: string, at: number): Promise<number> {
  const row = await db.get<{ spent: number }>(sql`SELECT ${spentSince(ownerId, sql`${dayStart(at)}`)} AS spent`);
  return row?.spent ?? 0;
}

/**
 * Sets what running execution `executionId` holds of its owner's `cap` (on the UTC day it was
 * created) to `base` + a grant of up to `want` more: as much as the day has left beside the owner's
 * other executions, and nothing unless at least `min` fits. One conditional statement decides, so
 * concurrent runs of one owner never hold more than the cap between them. Answers the grant (0:
 * refused, or the execution is not running).
 */
export async function holdDaily(
  db: Database,
  request: { executionId: string; ownerId: string; base: number; want: number; min: number; cap: number },
): Promise<number> {
  const { executionId, ownerId, cap } = request;
  // Whole micro-dollars, rounded up: a run never holds less than it may spend.
  const base = Math.ceil(request.base);
  const want = Number.isFinite(request.want) ? Math.max(0, Math.ceil(request.want)) : cap;
  const min = Math.max(0, Math.ceil(request.min));
  const created = sql`(SELECT created_at - created_at % ${DAY_MS} FROM tool_executions WHERE id = ${executionId})`;
  const others = spentSince(ownerId, created, executionId);
  const row = await db.get<{ granted: number }>(sql`UPDATE tool_executions
    SET reserved_micros = ${base} + min(${want}, ${cap} - ${others} - ${base})
    WHERE id = ${executionId} AND status = 'running' AND ${others} + ${base} + ${min} <= ${cap}
    RETURNING reserved_micros - ${base} AS granted`);
  return row?.granted ?? 0;
}
