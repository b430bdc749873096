// A user's own data (SPEC §13): DELETE /api/me/data hides every execution and tool of theirs the moment
// it is accepted (never half a record) and erases them in batches from their account's alarm, leaving
// nothing in D1 or R2 but the spending entries; another user's data is untouched; an admin purge does
// the same, audited as a purge. GET /api/me/export gives back each tool and execution as its own read does.
import { runDurableObjectAlarm } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { accountStub } from "../helpers/account";
import { api, apiJson } from "../helpers/api";
import { newUser, tokenFor } from "../helpers/auth";
import { createToolFor } from "../helpers/executions";
import { worker } from "../helpers/oidc";
import { blobKeysOf, rowsOf, seedEndedExecutions } from "../helpers/seed-records";
import { lessonPlanner } from "../helpers/tools";
import { waitFor } from "../helpers/upstream";

/** Runs the account's alarm until its deletions are done (the alarm also rings by itself meanwhile). */
async function drainDeletions(user: string): Promise<void> {
  await waitFor(
    async () => {
      if (!(await accountStub(user).deletionPending())) return true;
      await runDurableObjectAlarm(accountStub(user));
      return !(await accountStub(user).deletionPending());
    },
    60_000,
    "the deletion to finish",
  );
}

const auditCount = async (action: string, targetId: string) =>
  (
    await env.DB.prepare("SELECT count(*) AS n FROM audit_log WHERE action = ? AND target_id = ?")
      .bind(action, targetId)
      .first<{ n: number }>()
  )?.n ?? 0;

describe("DELETE /api/me/data", () => {
  it("hides 1,000 executions and the caller's tools at once, then leaves nothing of them but spending entries", async () => {
    const user = newUser();
    const other = newUser();
    const ids = await seedEndedExecutions(user, 1_000);
    const [kept] = await seedEndedExecutions(other, 1);
    const tool = await createToolFor(user, lessonPlanner("demo"));
    expect(await rowsOf(user)).toEqual({ executions: 1_000, results: 2_000, spending: 1_000 });

    const accepted = await apiJson<{ status: string }>("/api/me/data", { user, method: "DELETE" });
    expect(accepted).toMatchObject({ status: 202, body: { status: "accepted" } });

    // From the moment it is accepted: nothing to list, every read a 404, while batches still run.
    const sample = [ids[0], ids[499], ids[999]] as string[];
    const list = await apiJson<{ executions: unknown[] }>("/api/executions", { user });
    expect(list.body.executions).toEqual([]);
    for (const id of sample) {
      expect((await api(`/api/executions/${id}`, { user })).status).toBe(404);
      expect((await api(`/api/executions/${id}/events`, { user })).status).toBe(404);
    }
    expect((await api(`/api/tools/${tool.id}`, { user })).status).toBe(404);

    await drainDeletions(user);
    expect(await rowsOf(user)).toEqual({ executions: 0, results: 0, spending: 1_000 });
    expect(await blobKeysOf(user)).toEqual([]);
    expect(await auditCount("user.data_deleted", user)).toBe(1);
    // Someone else's data is untouched.
    expect((await api(`/api/executions/${kept}`, { user: other })).status).toBe(200);
    expect(await blobKeysOf(other)).toHaveLength(1);
  }, 90_000);

  it("does not touch what the caller creates afterwards", async () => {
    const user = newUser();
    const [old] = await seedEndedExecutions(user, 1, { createdAt: Date.now() - 60_000 });
    expect((await api("/api/me/data", { user, method: "DELETE" })).status).toBe(202);
    const [fresh] = await seedEndedExecutions(user, 1, { createdAt: Date.now() + 1 });
    await drainDeletions(user);
    expect((await api(`/api/executions/${old}`, { user })).status).toBe(404);
    expect((await api(`/api/executions/${fresh}`, { user })).status).toBe(200);
  });

  it("lets an administrator purge a user (audited as admin.purged); others get the unknown-route 404", async () => {
    const user = newUser();
    const [id] = await seedEndedExecutions(user, 3);
    const shared = await createToolFor(user, lessonPlanner("demo", { visibility: "shared" }));
    const app = worker({ ...env, ADMINS: "admin-root" });
    const purge = async (caller: string) =>
      app(`/api/admin/users/${user}/data`, {
        method: "DELETE",
        headers: { Authorization: `Bearer ${await tokenFor(caller)}` },
      });
    expect((await purge(newUser())).status).toBe(404);
    expect((await api(`/api/executions/${id}`, { user })).status).toBe(200);

    const purged = await purge("admin-root");
    expect(purged.status).toBe(202);
    expect((await api(`/api/executions/${id}`, { user })).status).toBe(404);
    await drainDeletions(user);
    expect(await rowsOf(user)).toMatchObject({ executions: 0, results: 0 });
    expect(await auditCount("admin.purged", user)).toBe(1);
    // Their shared tool went with them, for everyone, and the change of a shared tool is audited.
    expect((await api(`/api/tools/${shared.id}`, { user: newUser() })).status).toBe(404);
    expect(await auditCount("tool.shared_changed", shared.id)).toBe(1);
  });
});

describe("GET /api/me/export", () => {
  it("streams the caller's tools and 100 executions, each line equal to its own read", async () => {
    const user = newUser();
    const ids = await seedEndedExecutions(user, 100, {
      outputs: (index) => [`Outline ${index} — ünïcödé 🌱`, index === 7 ? "" : `Lesson ${index}`],
    });
    const tool = await createToolFor(user, lessonPlanner("demo"));
    await seedEndedExecutions(newUser(), 2);

    const response = await api("/api/me/export", { user });
    expect(response.status).toBe(200);
    expect(response.headers.get("Content-Type")).toContain("application/x-ndjson");
    const lines = new TextDecoder()
      .decode(await response.arrayBuffer())
      .split("\n")
      .filter((line) => line !== "")
      .map((line) => JSON.parse(line) as { type: string; id: string });

    const tools = lines.filter((line) => line.type === "tool");
    expect(tools).toEqual([{ type: "tool", ...((await apiJson(`/api/tools/${tool.id}`, { user })).body as object) }]);
    const executions = lines.filter((line) => line.type === "execution");
    expect(executions.map((line) => line.id).sort()).toEqual([...ids].sort());
    for (const line of executions) {
      const { body } = await apiJson(`/api/executions/${line.id}`, { user });
      expect(line).toEqual({ type: "execution", ...(body as object) });
    }
  });
});
