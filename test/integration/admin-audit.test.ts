// The audit trail (GET /api/admin/audit) and what writes it here: every change of a shared tool (PUT of a
// tool shared before or after, DELETE of a shared one) and every admin read of another user's execution
// (GET /api/admin/executions/:id); newest first, paged by cursor; and /api/admin/* is 404 to non-admins.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { createApp } from "../../src/app";
import { recordAudit } from "../../src/db/audit-log";
import { createDb } from "../../src/db/client";
import { apiJson } from "../helpers/api";
import { newUser, tokenFor } from "../helpers/auth";
import { createToolFor, followEvents, startExecution } from "../helpers/executions";
import { lessonPlanner } from "../helpers/tools";
import { ADMIN, adminApp, getAs, jsonAs } from "../helpers/usage";

interface AuditItem {
  at: string;
  actor: string;
  action: string;
  target: { type: string; id: string };
}
interface AuditPage {
  items: AuditItem[];
  nextCursor: string | null;
}

/** Every audit row about `targetId`, newest first, read straight from D1. */
async function auditOf(targetId: string): Promise<{ actor: string; action: string; target_type: string }[]> {
  const { results } = await env.DB.prepare(
    "SELECT actor, action, target_type FROM audit_log WHERE target_id = ? ORDER BY at DESC, id DESC",
  )
    .bind(targetId)
    .all<{ actor: string; action: string; target_type: string }>();
  return results;
}

const put = (user: string, id: string, body: unknown) => apiJson(`/api/tools/${id}`, { user, method: "PUT", body });
const remove = (user: string, id: string) => apiJson(`/api/tools/${id}`, { user, method: "DELETE" });

describe("tool.shared_changed", () => {
  it("is recorded for each change of a tool shared before or after it, in the same write", async () => {
    const owner = newUser();
    const tool = await createToolFor(owner, lessonPlanner("demo"));
    const entry = { actor: owner, action: "tool.shared_changed", target_type: "tool" };
    // Private to private: no row.
    expect((await put(owner, tool.id, lessonPlanner("demo", { name: "Renamed" }))).status).toBe(200);
    expect(await auditOf(tool.id)).toEqual([]);
    // Private to shared, shared to shared, shared to private: one row each.
    expect((await put(owner, tool.id, lessonPlanner("demo", { visibility: "shared" }))).status).toBe(200);
    expect(await auditOf(tool.id)).toEqual([entry]);
    expect((await put(owner, tool.id, lessonPlanner("demo", { visibility: "shared", name: "New" }))).status).toBe(200);
    expect((await put(owner, tool.id, lessonPlanner("demo", { visibility: "private" }))).status).toBe(200);
    expect(await auditOf(tool.id)).toEqual([entry, entry, entry]);
    // Private again, deleted: nothing more.
    expect((await remove(owner, tool.id)).status).toBe(204);
    expect(await auditOf(tool.id)).toHaveLength(3);
  });

  it("is recorded when a shared tool is deleted, and not for someone else's tool that nothing changes", async () => {
    const owner = newUser();
    const tool = await createToolFor(owner, lessonPlanner("demo", { visibility: "shared" }));
    const stranger = newUser();
    expect((await put(stranger, tool.id, lessonPlanner("demo"))).status).toBe(404);
    expect((await remove(stranger, tool.id)).status).toBe(404);
    expect(await auditOf(tool.id)).toEqual([]);
    expect((await remove(owner, tool.id)).status).toBe(204);
    expect(await auditOf(tool.id)).toEqual([{ actor: owner, action: "tool.shared_changed", target_type: "tool" }]);
  });

  it("is not written when the change fails: a rejected tool leaves no row", async () => {
    const owner = newUser();
    const tool = await createToolFor(owner, lessonPlanner("demo", { visibility: "shared" }));
    const invalid = lessonPlanner("demo", { visibility: "shared", prompts: [] });
    expect((await put(owner, tool.id, invalid)).status).toBe(400);
    expect(await auditOf(tool.id)).toEqual([]);
  });
});

describe("GET /api/admin/executions/:id", () => {
  it("answers another user's record as the owner sees it, with ownerId, and records admin.read", async () => {
    const owner = newUser();
    const tool = await createToolFor(owner, lessonPlanner("demo"));
    const { id } = await startExecution(owner, tool.id, { topic: "volcanoes" });
    await followEvents(owner, id);
    const own = await apiJson<Record<string, unknown>>(`/api/executions/${id}`, { user: owner });
    const before = Date.now();
    const read = await jsonAs<Record<string, unknown>>(ADMIN, `/api/admin/executions/${id}`);
    expect(read.status).toBe(200);
    expect(read.body).toEqual({ ...own.body, ownerId: owner });
    const { items } = (await jsonAs<AuditPage>(ADMIN, "/api/admin/audit?limit=20")).body;
    const row = items.find((item) => item.target.id === id);
    expect(row).toMatchObject({ actor: ADMIN, action: "admin.read", target: { type: "execution", id } });
    expect(Date.parse(row?.at ?? "")).toBeGreaterThanOrEqual(before - 1000);
  });

  it("records nothing when admins read their own, and answers 404 for an unknown id", async () => {
    const tool = await createToolFor(ADMIN, lessonPlanner("demo"));
    const { id } = await startExecution(ADMIN, tool.id, { topic: "own" });
    await followEvents(ADMIN, id);
    expect((await getAs(ADMIN, `/api/admin/executions/${id}`)).status).toBe(200);
    expect(await auditOf(id)).toEqual([]);
    const missing = crypto.randomUUID();
    const unknown = await jsonAs<{ error: { code: string } }>(ADMIN, `/api/admin/executions/${missing}`);
    expect([unknown.status, unknown.body.error.code]).toEqual([404, "not_found"]);
    expect(await auditOf(missing)).toEqual([]);
  });
});

describe("GET /api/admin/audit", () => {
  it("pages newest first through every row exactly once, and the last page says there is no next", async () => {
    // Rows in the future come first, in a known order; the rest of the trail follows them.
    const actor = newUser("auditor");
    const base = Date.parse("2100-01-01T00:00:00Z");
    const db = createDb(env.DB);
    for (let i = 0; i < 5; i++)
      await recordAudit(db, {
        at: base + (i < 3 ? i : 2) * 1000,
        actor,
        action: "admin.read",
        target: { type: "execution", id: `paged-${i}` },
      });
    const count = async () => (await env.DB.prepare("SELECT count(*) AS n FROM audit_log").first<number>("n")) ?? 0;
    const before = await count();
    const seen: AuditItem[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const query: string = cursor ? `&cursor=${encodeURIComponent(cursor)}` : "";
      const { status, body }: { status: number; body: AuditPage } = await jsonAs<AuditPage>(
        ADMIN,
        `/api/admin/audit?limit=2${query}`,
      );
      expect(status).toBe(200);
      expect(body.items.length).toBeLessThanOrEqual(2);
      seen.push(...body.items);
      cursor = body.nextCursor;
      pages++;
    } while (cursor !== null && pages < 1000);
    // Every row there was when paging began, each once (other tests may add rows meanwhile).
    expect(seen.length).toBeGreaterThanOrEqual(before);
    expect(seen.length).toBeLessThanOrEqual(await count());
    const times = seen.map((item) => Date.parse(item.at));
    expect(times).toEqual([...times].sort((a, b) => b - a));
    const mine = seen.filter((item) => item.actor === actor);
    expect(
      mine
        .map((item) => item.target.id)
        .slice(0, 3)
        .sort(),
    ).toEqual(["paged-2", "paged-3", "paged-4"]);
    expect(mine.map((item) => item.target.id).slice(3)).toEqual(["paged-1", "paged-0"]);
    expect(seen.slice(0, 5)).toEqual(mine);
    expect(mine[0]?.at).toBe("2100-01-01T00:00:02.000Z");
  });

  it("refuses a bad cursor or limit with 400", async () => {
    for (const query of ["cursor=not-a-cursor", "limit=0", "limit=201", "limit=ten", "page=2"])
      expect((await getAs(ADMIN, `/api/admin/audit?${query}`)).status, query).toBe(400);
  });
});

describe("/api/admin/* for everyone else", () => {
  it("answers every admin route 404 exactly like a path that does not exist", async () => {
    const paths = createApp()
      .routes.filter((route) => route.path.startsWith("/api/admin/") && route.method === "GET")
      .map((route) => route.path.replace(":id", crypto.randomUUID()));
    expect(paths.length).toBeGreaterThanOrEqual(3);
    const user = newUser();
    for (const path of paths) {
      const response = await adminApp(path, { headers: { Authorization: `Bearer ${await tokenFor(user)}` } });
      expect(response.status, path).toBe(404);
      expect(await response.json()).toEqual({ error: { code: "not_found", message: `No route for GET ${path}` } });
      // The administrator reaches each (an unknown execution id is the route's own 404).
      const admin = await getAs(ADMIN, path);
      const answer = (await admin.json()) as { error?: { message: string } };
      expect(admin.status === 200 || answer.error?.message === "Execution not found", path).toBe(true);
    }
  });
});
