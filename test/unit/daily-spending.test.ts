// The daily budget's D1 side: what a user spent on a UTC day (ended runs at their cost, live ones at
// the larger of cost and reservation), and reservations that never pass the cap, however many race.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { createDb } from "../../src/db/client";
import { DAY_MS, dayStart, reserveDaily, spentOnDay } from "../../src/db/daily-spending";
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

describe("daily spending", () => {
  it("counts the day's ended runs at their cost and live ones at their reservation; not other days or users", async () => {
    const owner = newUser();
    const now = Date.now();
    const ended = await execution(owner, { status: "running" });
    const live = await execution(owner);
    await execution(owner, { createdAt: dayStart(now) - 1 });
    await execution(newUser());
    expect(await reserveDaily(db(), { executionId: ended, ownerId: owner, more: 700, cap: 10_000 })).toBe(700);
    await env.DB.prepare("UPDATE tool_executions SET status = 'completed', cost_micros = 250 WHERE id = ?")
      .bind(ended)
      .run();
    expect(await reserveDaily(db(), { executionId: live, ownerId: owner, more: 100, cap: 10_000 })).toBe(100);
    expect(await spentOnDay(db(), owner, now)).toBe(350);
    expect(await spentOnDay(db(), owner, now + DAY_MS)).toBe(0);
  });

  it("never grants past the cap, however many runs reserve at once", async () => {
    const owner = newUser();
    const ids = await Promise.all(Array.from({ length: 8 }, () => execution(owner)));
    const held = await Promise.all(
      ids.map((executionId) => reserveDaily(db(), { executionId, ownerId: owner, more: 300, cap: 1000 })),
    );
    expect(held.reduce((sum, value) => sum + value, 0)).toBe(1000);
    expect(held.filter((value) => value === 0).length).toBe(4);
    expect(await spentOnDay(db(), owner, Date.now())).toBe(1000);
  });

  it("grants nothing to a run that is not running", async () => {
    const owner = newUser();
    const pending = await execution(owner, { status: "pending" });
    expect(await reserveDaily(db(), { executionId: pending, ownerId: owner, more: 10, cap: 1000 })).toBe(0);
  });
});
