// RECORD_RETENTION_DAYS (SPEC §13): the daily Cron Trigger's handler deletes exactly the executions that
// ended more than that many days ago, erased as a DELETE erases one (D1 rows and R2 objects; spending
// entries stay), audited once per run; a running one and younger ones stay; 0 keeps everything.
import { createExecutionContext, createScheduledController, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import worker from "../../src/index";
import { newUser } from "../helpers/auth";
import { insertEarlierExecution } from "../helpers/d1-rows";
import { blobKeysOf, rowsOf, seedEndedExecutions } from "../helpers/seed-records";

const DAY = 86_400_000;

async function runRetention(days: string, now: number): Promise<void> {
  const context = createExecutionContext();
  await worker.scheduled(
    createScheduledController({ scheduledTime: now, cron: "17 3 * * *" }),
    { ...env, RECORD_RETENTION_DAYS: days },
    context,
  );
  await waitOnExecutionContext(context);
}

const exists = async (id: string) =>
  (await env.DB.prepare("SELECT 1 AS x FROM tool_executions WHERE id = ?").bind(id).first()) !== null;

describe("retention", () => {
  it("deletes exactly the executions that ended before the cut, as DELETE does", async () => {
    const now = Date.now();
    const user = newUser();
    // Created 40 days ago; ended 31 days ago (past), 30 days less a minute ago (not yet), and not at all.
    const past = await seedEndedExecutions(user, 3, { createdAt: now - 40 * DAY, ranMs: 9 * DAY });
    const young = await seedEndedExecutions(user, 2, { createdAt: now - 40 * DAY, ranMs: 10 * DAY + 60_000 });
    const running = crypto.randomUUID();
    await insertEarlierExecution({
      id: running,
      ownerId: user,
      toolId: "t",
      status: "running",
      createdAt: now - 40 * DAY,
    });

    await runRetention("30", now);

    for (const id of past) expect(await exists(id)).toBe(false);
    for (const id of [...young, running]) expect(await exists(id)).toBe(true);
    expect(await rowsOf(user)).toEqual({ executions: 3, results: 4, spending: 5 });
    expect((await blobKeysOf(user)).sort()).toEqual(
      young.map((id) => `records/${encodeURIComponent(user)}/${id}.json`).sort(),
    );
    const audit = await env.DB.prepare("SELECT actor, target_id FROM audit_log WHERE action = 'retention.deleted'")
      .all<{ actor: string; target_id: string }>()
      .then((result) => result.results);
    expect(audit).toContainEqual({ actor: "retention", target_id: new Date(now - 30 * DAY).toISOString() });
  });

  it("keeps everything when RECORD_RETENTION_DAYS is 0 (the default)", async () => {
    const now = Date.now();
    const user = newUser();
    const [old] = await seedEndedExecutions(user, 1, { createdAt: now - 400 * DAY });
    await runRetention("0", now);
    expect(await exists(old as string)).toBe(true);
  });
});
