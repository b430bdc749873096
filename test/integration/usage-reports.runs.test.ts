// Usage reports over real executions (through the API, on `demo`, a priced catalogue model and a failing
// scripted one): each ended run's spending entries equal its record; names in the admin report by user come
// from user_profiles, which each user's account copies there in the background (retried after a failure,
// never overwritten by an older copy); and the migration gives earlier runs their spending entries.
import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it, vi } from "vitest";
import { ProfileCopy } from "../../src/durable/user/profile-copy";
import { userAccount } from "../../src/services/accounts";
import { newUser, tokenFor } from "../helpers/auth";
import { createToolFor, followEvents, getRecord, startExecution } from "../helpers/executions";
import { oidcEnv, sessionFor, worker } from "../helpers/oidc";
import { lessonPlanner } from "../helpers/tools";
import { scriptModel } from "../helpers/upstream";
import { ADMIN, jsonAs, seedRun, type UsageJson, utc } from "../helpers/usage";

const today = () => new Date().toISOString().slice(0, 10);

/** Runs `tool` to its end as `user`, then waits until D1 has its whole record (written off the run's path). */
async function runToEnd(user: string, toolId: string): Promise<string> {
  const { id } = await startExecution(user, toolId, { topic: "fractions" });
  await followEvents(user, id);
  await vi.waitFor(
    async () => {
      const row = await env.DB.prepare("SELECT count(*) AS n FROM spending_entries WHERE execution_id = ?")
        .bind(id)
        .first<number>("n");
      expect(row).toBeGreaterThan(0);
    },
    { timeout: 8000, interval: 50 },
  );
  return id;
}

describe("usage of real executions", () => {
  it("equals their records per model and per day, failures included", async () => {
    const user = newUser();
    const failing = await scriptModel({ kind: "error", status: 400, message: "refused" });
    const twoModels = await createToolFor(user, {
      ...lessonPlanner("priced-echo"),
      prompts: [
        { name: "outline", position: 0, model: "priced-echo", content: "Outline {{topic}}" },
        { name: "lesson", position: 1, model: "demo", content: "Lesson from {{outline}}" },
      ],
    });
    const failingTool = await createToolFor(user, lessonPlanner(failing));
    const ids = [await runToEnd(user, twoModels.id), await runToEnd(user, twoModels.id)];
    const failedId = await runToEnd(user, failingTool.id);
    const records = await Promise.all([...ids, failedId].map((id) => getRecord(user, id)));
    expect(records.map((record) => record.status)).toEqual(["completed", "completed", "failed"]);
    const expected = new Map<
      string,
      { executions: Set<string>; inputTokens: number; outputTokens: number; cost: number }
    >();
    for (const record of records)
      for (const result of record.results as unknown as {
        model: string;
        usage: { inputTokens: number; outputTokens: number } | null;
        costMicros: number | null;
      }[]) {
        const entry = expected.get(result.model) ?? { executions: new Set(), inputTokens: 0, outputTokens: 0, cost: 0 };
        entry.executions.add(record.id);
        entry.inputTokens += result.usage?.inputTokens ?? 0;
        entry.outputTokens += result.usage?.outputTokens ?? 0;
        entry.cost += result.costMicros ?? 0;
        expected.set(result.model, entry);
      }
    const { body } = await jsonAs<UsageJson>(user, "/api/usage?groupBy=model");
    const rows = Object.fromEntries(body.rows.map(({ key, ...row }) => [key, row]));
    for (const [model, entry] of expected)
      expect(rows[model], model).toEqual({
        executions: entry.executions.size,
        completed: model === failing ? 0 : 2,
        failed: model === failing ? 1 : 0,
        inputTokens: entry.inputTokens,
        outputTokens: entry.outputTokens,
        costMicros: entry.cost,
      });
    expect(rows["priced-echo"]?.costMicros).toBeGreaterThan(0);
    expect(Object.keys(rows).sort()).toEqual([...expected.keys()].sort());
    const byDay = (await jsonAs<UsageJson>(user, `/api/usage?from=${today()}&to=${today()}`)).body.rows;
    expect(byDay).toEqual([expect.objectContaining({ key: today(), executions: 3, completed: 2, failed: 1 })]);
  });
});

describe("names in the admin report by user", () => {
  it("come from the profile a bearer token carried, copied to user_profiles in the background", async () => {
    const user = newUser();
    await seedRun({
      ownerId: user,
      toolId: "named",
      toolName: "Named",
      createdAt: utc("2021-05-05"),
      status: "completed",
      prompts: [{ model: "demo", usage: null }],
    });
    const token = await tokenFor(user, { email: "dana@school.example.edu", name: "Dana Lee" });
    const app = worker(env, { settle: true });
    expect((await app("/api/tools", { headers: { Authorization: `Bearer ${token}` } })).status).toBe(200);
    await vi.waitFor(async () => {
      const row = await env.DB.prepare("SELECT email, name FROM user_profiles WHERE user_id = ?").bind(user).first();
      expect(row).toEqual({ email: "dana@school.example.edu", name: "Dana Lee" });
    });
    const report = await jsonAs<UsageJson>(ADMIN, "/api/admin/usage?from=2021-05-05&to=2021-05-05&groupBy=user");
    expect(report.body.rows.find((row) => row.key === user)?.label).toBe("Dana Lee <dana@school.example.edu>");
  });

  it("come from the ID token at sign-in too", async () => {
    const app = worker(oidcEnv, { settle: true });
    await sessionFor(app, "oidc-alice");
    await vi.waitFor(async () => {
      const row = await env.DB.prepare("SELECT email FROM user_profiles WHERE user_id = 'oidc-alice'").first("email");
      expect(row).toBe("alice@school.example.edu");
    });
  });

  it("are retried on the next call after a failed copy, and an older copy never overwrites a newer one", async () => {
    const user = newUser();
    const down = { prepare: () => ({ bind: () => ({ run: () => Promise.reject(new Error("D1 is down")) }) }) };
    await runInDurableObject(userAccount(env, user), async (_instance, state) => {
      const profile = { email: "eli@school.example.edu", name: "Eli", emailVerified: true, updatedAt: 2000 };
      const failing = new ProfileCopy(state.storage.sql, down as unknown as D1Database);
      await failing.sync(user, profile);
      expect(failing.isCurrent(2000)).toBe(false);
      const working = new ProfileCopy(state.storage.sql, env.DB);
      await working.sync(user, profile);
      expect(working.isCurrent(2000)).toBe(true);
      expect(working.sync(user, profile)).toBeNull();
      await working.sync(user, { ...profile, name: "Eli (old)", updatedAt: 1000 });
    });
    const row = await env.DB.prepare("SELECT name, updated_at FROM user_profiles WHERE user_id = ?").bind(user).first();
    expect(row).toEqual({ name: "Eli", updated_at: 2000 });
  });
});

describe("the migration that added user_profiles", () => {
  it("gives executions that ended before spending entries existed the entries their records imply", async () => {
    const user = newUser();
    const ids = [
      await seedRun({
        ownerId: user,
        toolId: "old",
        toolName: "Old",
        createdAt: utc("2019-09-09", "22:00:00.000"),
        status: "completed",
        prompts: [
          { model: "m-old", usage: { inputTokens: 3, outputTokens: 4, costMicros: 5 } },
          { model: "m-old", usage: null },
          { model: "m-new", usage: { inputTokens: 1, outputTokens: 1, costMicros: 1 } },
        ],
      }),
    ];
    const entries = () =>
      env.DB.prepare("SELECT * FROM spending_entries WHERE owner_id = ? ORDER BY model").bind(user).all();
    const written = (await entries()).results;
    expect(written).toHaveLength(2);
    await env.DB.prepare(`DELETE FROM spending_entries WHERE execution_id = ?`).bind(ids[0]).run();
    const migration = env.TEST_MIGRATIONS.find((entry) => entry.name.startsWith("0009_"));
    const backfill = migration?.queries.find((query) => query.includes("INSERT OR IGNORE INTO `spending_entries`"));
    expect(backfill).toBeDefined();
    await env.DB.prepare(backfill ?? "").run();
    expect((await entries()).results).toEqual(written);
  });
});
