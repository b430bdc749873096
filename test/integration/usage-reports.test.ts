// Usage reports (GET /api/usage, GET /api/admin/usage): every grouping's sums equal the records', a run
// with two models counted once under each, UTC days with both ends included, the 30-day default, bad
// parameters named, the caller's own only, and reports that read the spending entries alone.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { newUser } from "../helpers/auth";
import {
  ADMIN,
  byKey,
  expectedFromRecords,
  jsonAs,
  type SeedRun,
  seedRun,
  type UsageJson,
  utc,
} from "../helpers/usage";

const used = (inputTokens: number, outputTokens: number, costMicros: number) => ({
  inputTokens,
  outputTokens,
  costMicros,
});

/** Three users, three tools, three models over four days of `year` (one no other test writes). */
async function seedYear(year: number) {
  const [ann, ben, cy] = [newUser("ann"), newUser("ben"), newUser("cy")];
  const tool = (n: number) => ({ toolId: `tool-${year}-${n}-${crypto.randomUUID()}`, toolName: `Tool ${n}` });
  const [t1, t2, t3] = [tool(1), tool(2), tool(3)];
  const runs: SeedRun[] = [
    // A two-model run: counted once under each model.
    {
      ownerId: ann,
      ...t1,
      createdAt: utc(`${year}-03-01`, "09:00:00.000"),
      status: "completed",
      prompts: [
        { model: "m-alpha", usage: used(100, 200, 3000) },
        { model: "m-beta", usage: used(10, 20, 500) },
        { model: "m-alpha", usage: used(1, 2, 30) },
      ],
    },
    {
      ownerId: ann,
      ...t2,
      createdAt: utc(`${year}-03-01`, "23:59:59.999"),
      status: "failed",
      prompts: [{ model: "m-alpha", usage: used(7, 0, 70) }],
    },
    {
      ownerId: ben,
      ...t1,
      createdAt: utc(`${year}-03-02`),
      status: "timed_out",
      prompts: [{ model: "m-beta", usage: used(50, 60, 900) }],
    },
    // A prompt without usage counts 0 tokens.
    {
      ownerId: ben,
      ...t3,
      createdAt: utc(`${year}-03-02`, "12:00:00.000"),
      status: "canceled",
      prompts: [
        { model: "m-gamma", usage: null },
        { model: "m-beta", usage: used(5, 5, 50) },
      ],
    },
    {
      ownerId: cy,
      ...t2,
      createdAt: utc(`${year}-03-04`, "00:00:00.000"),
      status: "completed",
      prompts: [{ model: "m-gamma", usage: used(1000, 3000, 40000) }],
    },
  ];
  const ids: string[] = [];
  for (const run of runs) ids.push(await seedRun(run));
  return { ids, users: { ann, ben, cy }, tools: { t1, t2, t3 } };
}

const adminUsage = (query: string) => jsonAs<UsageJson>(ADMIN, `/api/admin/usage?${query}`);

describe("usage reports", () => {
  it("sum exactly what the records hold, grouped by user, tool, model and day", async () => {
    const { ids, tools } = await seedYear(2001);
    for (const groupBy of ["user", "tool", "model", "day"] as const) {
      const { status, body } = await adminUsage(`from=2001-01-01&to=2001-12-31&groupBy=${groupBy}`);
      expect(status).toBe(200);
      expect(body.groupBy).toBe(groupBy);
      expect(byKey(body.rows), groupBy).toEqual(await expectedFromRecords(ids, groupBy));
    }
    const { body } = await adminUsage("from=2001-01-01&to=2001-12-31&groupBy=tool");
    expect(body.rows.find((row) => row.key === tools.t1.toolId)?.label).toBe("Tool 1");
  });

  it("count a two-model run once under each model, and once in every other grouping", async () => {
    await seedYear(2002);
    const byModel = (await adminUsage("from=2002-03-01&to=2002-03-01&groupBy=model")).body.rows;
    // Day 1: the two-model run (completed) and a failed one on m-alpha only.
    expect(byModel).toEqual([
      { key: "m-alpha", executions: 2, completed: 1, failed: 1, inputTokens: 108, outputTokens: 202, costMicros: 3100 },
      { key: "m-beta", executions: 1, completed: 1, failed: 0, inputTokens: 10, outputTokens: 20, costMicros: 500 },
    ]);
    const byDay = (await adminUsage("from=2002-03-01&to=2002-03-01&groupBy=day")).body.rows;
    expect(byDay).toEqual([
      {
        key: "2002-03-01",
        executions: 2,
        completed: 1,
        failed: 1,
        inputTokens: 118,
        outputTokens: 222,
        costMicros: 3600,
      },
    ]);
  });

  it("count canceled runs in executions only, timed-out ones as failed", async () => {
    const { users } = await seedYear(2003);
    const byUser = (await adminUsage("from=2003-03-02&to=2003-03-02&groupBy=user")).body.rows;
    expect(byUser).toEqual([
      { key: users.ben, executions: 2, completed: 0, failed: 1, inputTokens: 55, outputTokens: 65, costMicros: 950 },
    ]);
  });

  it("count a run on the UTC day it was created, with from and to both included", async () => {
    await seedYear(2004);
    const days = async (from: string, to: string) =>
      (await adminUsage(`from=${from}&to=${to}&groupBy=day`)).body.rows.map((row) => [row.key, row.executions]);
    // 23:59:59.999 on the 1st stays on the 1st; 00:00 on the 4th is the 4th.
    expect(await days("2004-03-01", "2004-03-04")).toEqual([
      ["2004-03-01", 2],
      ["2004-03-02", 2],
      ["2004-03-04", 1],
    ]);
    expect(await days("2004-03-02", "2004-03-02")).toEqual([["2004-03-02", 2]]);
    expect(await days("2004-03-03", "2004-03-03")).toEqual([]);
    expect(await days("2004-03-04", "2004-03-31")).toEqual([["2004-03-04", 1]]);
    expect(await days("2004-02-01", "2004-02-28")).toEqual([]);
  });

  it("cover the 30 days ending today (UTC) by default", async () => {
    const user = newUser();
    const today = Date.now() - (Date.now() % 86_400_000);
    const run = (createdAt: number) =>
      seedRun({
        ownerId: user,
        toolId: "tool-default",
        toolName: "Default",
        createdAt,
        status: "completed",
        prompts: [{ model: "demo", usage: used(1, 1, 1) }],
      });
    await run(today + 1000);
    await run(today - 29 * 86_400_000);
    await run(today - 30 * 86_400_000 + 86_399_999);
    const { status, body } = await jsonAs<UsageJson>(user, "/api/usage");
    expect(status).toBe(200);
    const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);
    expect(body).toMatchObject({ from: day(today - 29 * 86_400_000), to: day(today), groupBy: "day" });
    expect(body.rows.map((row) => row.key)).toEqual([day(today - 29 * 86_400_000), day(today)]);
    // Only `to`: the 30 days ending then; only `from`: from then to today.
    const to = day(today - 86_400_000);
    expect((await jsonAs<UsageJson>(user, `/api/usage?to=${to}`)).body.rows.map((row) => row.key)).toEqual([
      day(today - 30 * 86_400_000),
      day(today - 29 * 86_400_000),
    ]);
    const from = day(today - 29 * 86_400_000);
    expect((await jsonAs<UsageJson>(user, `/api/usage?from=${from}`)).body.to).toBe(day(today));
  });

  it("answer 400 naming the field for bad dates, from after to, too long a range and unknown parameters", async () => {
    const user = newUser();
    const problem = async (query: string, route = "/api/usage") => {
      const { status, body } = await jsonAs<{ error: { code: string; details?: { fields: { path: string }[] } } }>(
        route === "/api/usage" ? user : ADMIN,
        `${route}?${query}`,
      );
      return [status, body.error.code, body.error.details?.fields.map((field) => field.path)];
    };
    const invalid = (...paths: string[]) => [400, "validation_failed", paths];
    expect(await problem("from=2025-02-30")).toEqual(invalid("from"));
    expect(await problem("to=2025-13-01")).toEqual(invalid("to"));
    expect(await problem("from=yesterday")).toEqual(invalid("from"));
    expect(await problem("from=2025-3-1")).toEqual(invalid("from"));
    expect(await problem("from=2025-03-02&to=2025-03-01")).toEqual(invalid("from"));
    expect(await problem("from=2024-01-01&to=2025-01-01")).toEqual(invalid("from"));
    expect(await problem("from=2999-01-01")).toEqual(invalid("from"));
    expect(await problem("groupBy=user")).toEqual(invalid("groupBy"));
    expect(await problem("groupBy=week", "/api/admin/usage")).toEqual(invalid("groupBy"));
    expect(await problem("format=xlsx")).toEqual(invalid("format"));
    expect(await problem("userId=someone")).toEqual(invalid(""));
    // A whole leap year is the longest report.
    expect((await jsonAs(user, "/api/usage?from=2024-01-01&to=2024-12-31")).status).toBe(200);
    expect((await jsonAs(user, "/api/usage?from=2023-03-01&to=2024-02-29")).status).toBe(200);
  });

  it("show a caller their own usage only", async () => {
    const { ids, users } = await seedYear(2005);
    const { status, body } = await jsonAs<UsageJson>(
      users.ann,
      "/api/usage?from=2005-01-01&to=2005-12-31&groupBy=model",
    );
    expect(status).toBe(200);
    const annIds = (
      await env.DB.prepare(`SELECT id FROM tool_executions WHERE owner_id = ?`).bind(users.ann).all<{ id: string }>()
    ).results.map((row) => row.id);
    expect(annIds.every((id) => ids.includes(id))).toBe(true);
    expect(byKey(body.rows)).toEqual(await expectedFromRecords(annIds, "model"));
    const nobody = await jsonAs<UsageJson>(newUser(), "/api/usage?from=2005-01-01&to=2005-12-31");
    expect(nobody.body.rows).toEqual([]);
  });

  it("read the spending entries alone: removing the records leaves every report as it was", async () => {
    const { ids } = await seedYear(2006);
    const before = await Promise.all(
      ["user", "tool", "model", "day"].map((by) => adminUsage(`from=2006-01-01&to=2006-12-31&groupBy=${by}`)),
    );
    const marks = ids.map(() => "?").join(",");
    await env.DB.batch([
      env.DB.prepare(`DELETE FROM prompt_results WHERE execution_id IN (${marks})`).bind(...ids),
      env.DB.prepare(`DELETE FROM tool_executions WHERE id IN (${marks})`).bind(...ids),
    ]);
    const after = await Promise.all(
      ["user", "tool", "model", "day"].map((by) => adminUsage(`from=2006-01-01&to=2006-12-31&groupBy=${by}`)),
    );
    expect(after.map((report) => report.body)).toEqual(before.map((report) => report.body));
  });
});
