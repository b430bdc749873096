// The owner's spending per UTC day (USER_DAILY_BUDGET_MICROS), from the executions D1 holds: an
// ended execution counts its cost; a live one the larger of its cost and the reservation it holds.
// A run reserves more as it spends, with one conditional statement, so concurrent runs of one
// owner can never hold more than the cap between them.
import { sql } from "drizzle-orm";
import type { Database } from "./client";

export const DAY_MS = 86_400_000;

/** The UTC day `at` falls in: its start, in ms since the epoch. */
export const dayStart = (at: number): number => at - (at % DAY_MS);

/** What executions of `ownerId` created in [`from`, `from` + one day) spent or hold. */
const spentSince = (ownerId: string, from: ReturnType<typeof sql>) => sql`(SELECT coalesce(sum(
    CASE WHEN status IN ('pending', 'running') THEN max(coalesce(cost_micros, 0), reserved_micros)
    ELSE coalesce(cost_micros, 0) END), 0)
  FROM tool_executions WHERE owner_id = ${ownerId} AND created_at >= ${from} AND created_at < ${from} + ${DAY_MS})`;

/** Micro-dollars `ownerId` spent or holds on the UTC day of `at`. */
export async function spentOnDay(db: Database, ownerId: string, at: number): Promise<number> {
  const row = await db.get<{ spent: number }>(sql`SELECT ${spentSince(ownerId, sql`${dayStart(at)}`)} AS spent`);
  return row?.spent ?? 0;
}

/**
 * Reserves up to `more` micro-dollars of the owner's `cap` for running execution `executionId`
 * (on the day it was created): as much as is left, nothing once the cap is reached. Answers the
 * total the execution holds after, or 0 when it got nothing (or is not running).
 */
export async function reserveDaily(
  db: Database,
  { executionId, ownerId, more, cap }: { executionId: string; ownerId: string; more: number; cap: number },
): Promise<number> {
  const created = sql`(SELECT created_at - created_at % ${DAY_MS} FROM tool_executions WHERE id = ${executionId})`;
  const spent = spentSince(ownerId, created);
  const row = await db.get<{ reserved: number }>(sql`UPDATE tool_executions
    SET reserved_micros = reserved_micros + min(${more}, ${cap} - ${spent})
    WHERE id = ${executionId} AND status = 'running' AND ${spent} < ${cap}
    RETURNING reserved_micros AS reserved`);
  return row?.reserved ?? 0;
}
