// The daily budget's D1 side (the budget ledger's D1 implementation): what a user spent on a UTC day
// (ended runs at their cost, live ones at the larger of cost and what they hold), and holds that
// never pass the cap however many race, set as a whole so a restarted run holds only its own.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { createDb } from "../../src/db/client";
import { DAY_MS, dayStart, holdDaily, spentOnDay } from "../../src/db/daily-spending";
import { insertExecutionWithinLimit } from "../../src/db/execution-queries";
import { newUser } from "../helpers/auth";
import { newExecution } from "../helpers/new-execution";

const db = () => createDb(env.DB);
const limits = { maxConcurrent: 100, pendingTtlMs: 60_000 };

async function execution(ownerId: string, overrides: Parameters<typeof newExecution>[1] = {}): Promise<string> {
  const row = newExecution(ownerId, overrides);
  expect(await insertExecutionWithinLimit(db(), row, limits)).toBe("created");
  return row.id;
}

const hold = (
  executionId: string,
  ownerId: string,
  request: { base: number; want: number; min: number },
  cap: number,
) => holdDaily(db(), { executionId, ownerId, cap, ...request });

const reservedOf = async (executionId: string) =>
  (
    await env.DB.prepare("SELECT reserved_micros AS held FROM tool_executions WHERE id = ?").bind(executionId).first<{
      held: number;
    }>()
  )?.held;

describe("daily spending", () => {
  it("counts the day's ended runs at their cost and live ones at what they hold; not other days or users", async () => {
    const owner = newUser();
    const now = Date.now();
    const ended = await execution(owner, { status: "running" });
    const live = await execution(owner);
    await execution(owner, { createdAt: dayStart(now) - 1 });
    await execution(newUser());
    expect(await hold(ended, owner, { base: 0, want: 700, min: 1 }, 10_000)).toBe(700);
    await env.DB.prepare("UPDATE tool_executions SET status = 'completed', cost_micros = 250 WHERE id = ?")
      .bind(ended)
      .run();
    expect(await hold(live, owner, { base: 0, want: 100, min: 1 }, 10_000)).toBe(100);
    expect(await spentOnDay(db(), owner, now)).toBe(350);
    expect(await spentOnDay(db(), owner, now + DAY_MS)).toBe(0);
  });

  it("never grants past the cap, however many runs hold at once", async () => {
    const owner = newUser();
    const ids = await Promise.all(Array.from({ length: 8 }, () => execution(owner)));
    const granted = await Promise.all(ids.map((id) => hold(id, owner, { base: 0, want: 300, min: 300 }, 1000)));
    expect(granted.reduce((total, value) => total + value, 0)).toBeLessThanOrEqual(1000);
    expect(granted.filter((value) => value === 300)).toHaveLength(3);
    expect(await spentOnDay(db(), owner, Date.now())).toBeLessThanOrEqual(1000);
  });

  it("grants what is left, or nothing when less than the minimum is left", async () => {
    const owner = newUser();
    const first = await execution(owner);
    const second = await execution(owner);
    expect(await hold(first, owner, { base: 0, want: Number.POSITIVE_INFINITY, min: 10 }, 1000)).toBe(1000);
    expect(await hold(second, owner, { base: 0, want: 50, min: 1 }, 1000)).toBe(0);
    // The first run settles below what it held: the rest goes back to the day.
    expect(await hold(first, owner, { base: 300, want: 0, min: 0 }, 1000)).toBe(0);
    expect(await hold(second, owner, { base: 0, want: 900, min: 700 }, 1000)).toBe(700);
  });

  it("sets the hold as a whole: asking again (a restarted run) replaces what the run held, never adds to it", async () => {
    const owner = newUser();
    const run = await execution(owner);
    expect(await hold(run, owner, { base: 100, want: 400, min: 50 }, 10_000)).toBe(400);
    expect(await reservedOf(run)).toBe(500);
    expect(await hold(run, owner, { base: 120, want: 200, min: 50 }, 10_000)).toBe(200);
    expect(await reservedOf(run)).toBe(320);
  });

  it("grants nothing to a run that is not running", async () => {
    const owner = newUser();
    const pending = await execution(owner, { status: "pending" });
    expect(await hold(pending, owner, { base: 0, want: 10, min: 1 }, 1000)).toBe(0);
  });
});
