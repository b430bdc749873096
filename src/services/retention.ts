// Retention (RECORD_RETENTION_DAYS, SPEC §13): the daily Cron Trigger deletes every execution that ended
// more than that many days ago, erased exactly as a DELETE erases one, in bounded batches. A run that
// stops early (its time is up, a store failed) leaves the rest for the next, which starts from the oldest.
import { recordAudit } from "../db/audit-log";
import { createDb } from "../db/client";
import { targetsEndedBefore } from "../db/execution-deletion";
import { eraseExecutions, objectEraser } from "../durable/erasure";
import { DAY_MS } from "../durable/user/admission-limits";
import { getConfig } from "../lib/config";
import { log } from "../lib/log";

/** Executions one batch takes. */
export const RETENTION_BATCH = 500;
/** A run stops taking batches after this long (a scheduled handler has 15 minutes). */
const RETENTION_WORK_MS = 10 * 60_000;

/** Deletes the executions past retention as of `now`; answers how many. */
export async function deleteExpiredRecords(env: Env, now: number): Promise<number> {
  const days = getConfig(env).recordRetentionDays;
  if (days <= 0) return 0;
  const db = createDb(env.DB);
  const cut = now - days * DAY_MS;
  const started = Date.now();
  let deleted = 0;
  for (;;) {
    const batch = await targetsEndedBefore(db, cut, RETENTION_BATCH);
    if (batch.length === 0) break;
    await eraseExecutions(
      { db, bucket: env.OUTPUTS, eraseObject: objectEraser(env.EXECUTION_SESSION), now },
      batch,
      [],
    );
    deleted += batch.length;
    if (batch.length < RETENTION_BATCH || Date.now() - started > RETENTION_WORK_MS) break;
  }
  if (deleted > 0) {
    await recordAudit(db, {
      at: now,
      actor: "retention",
      action: "retention.deleted",
      target: { type: "ended_before", id: new Date(cut).toISOString() },
    });
  }
  log("info", "retention ran", { deleted, endedBefore: cut });
  return deleted;
}
