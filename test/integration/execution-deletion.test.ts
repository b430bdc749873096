// DELETE /api/executions/:id (SPEC §13): nothing of the run's content stays in D1, R2 or its object's
// storage; every read of it is a 404 from the moment the DELETE answers (record, list, events with a
// bearer or a stream token, reruns, cancel, a second DELETE); its spending entry and the audit row stay.
// A live run is canceled first; another user's id deletes nothing; a store failing mid-way is finished
// by the account's alarm while the execution stays hidden.
import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { recordKey } from "../../src/db/record-blobs";
import { accountStub } from "../helpers/account";
import { api, apiJson } from "../helpers/api";
import { newUser } from "../helpers/auth";
import { createToolFor, followEvents, startExecution, waitForOutput } from "../helpers/executions";
import { type D1Outage, flakyD1 } from "../helpers/flaky-d1";
import { sessionStub } from "../helpers/session";
import { readSse, toEvents } from "../helpers/sse";
import { lessonPlanner } from "../helpers/tools";
import { scriptModel, streamOf, upstreamRequests, waitFor } from "../helpers/upstream";

/** A run of a two-step tool, ended, its whole record in D1 and R2. */
async function endedRun(user: string) {
  const model = await scriptModel(streamOf("Photosynthesis turns light into sugar."), streamOf("Lesson ✓"));
  const tool = await createToolFor(user, lessonPlanner(model));
  const created = await startExecution(user, tool.id, { topic: "plants" });
  await followEvents(user, created.id);
  await waitFor(() => rowOf(created.id).then((row) => row?.in_r2), 5_000, "the record in D1");
  return { ...created, toolId: tool.id, promptIds: tool.prompts.map((prompt) => prompt.id) };
}

const rowOf = (id: string) =>
  env.DB.prepare("SELECT in_r2 FROM tool_executions WHERE id = ?").bind(id).first<{ in_r2: number }>();

/** Every trace of `id` in D1 and R2, and what its object's storage holds. */
async function tracesOf(owner: string, id: string) {
  const count = async (query: string) => (await env.DB.prepare(query).bind(id).first<{ n: number }>())?.n ?? 0;
  const storage = await runInDurableObject(sessionStub(id), async (_instance, state) => ({
    keys: [...state.storage.kv.list()].map(([key]) => key),
    rows: state.storage.sql
      .exec<{ name: string }>(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE '\\_%' ESCAPE '\\'",
      )
      .toArray()
      .map(({ name }) => state.storage.sql.exec<{ n: number }>(`SELECT count(*) AS n FROM "${name}"`).one().n)
      .reduce((sum, n) => sum + n, 0),
  }));
  return {
    executions: await count("SELECT count(*) AS n FROM tool_executions WHERE id = ?"),
    results: await count("SELECT count(*) AS n FROM prompt_results WHERE execution_id = ?"),
    parts: await count("SELECT count(*) AS n FROM prompt_output_parts WHERE execution_id = ?"),
    spending: await count("SELECT count(*) AS n FROM spending_entries WHERE execution_id = ?"),
    audit: await count("SELECT count(*) AS n FROM audit_log WHERE action = 'execution.deleted' AND target_id = ?"),
    blob: (await env.OUTPUTS.head(recordKey(owner, id))) !== null,
    storage,
  };
}

/** Every read path of the execution, as the owner (and with its stream token) sees it. */
async function readStatuses(user: string, run: { id: string; streamToken: string; promptIds: string[] }) {
  const list = await apiJson<{ executions: { id: string }[] }>("/api/executions", { user });
  return {
    record: (await api(`/api/executions/${run.id}`, { user })).status,
    events: (await api(`/api/executions/${run.id}/events`, { user })).status,
    token: (await api(`/api/executions/${run.id}/events?token=${run.streamToken}`)).status,
    rerun: (await api(`/api/executions/${run.id}/rerun`, { user, body: { fromPromptId: run.promptIds[0] ?? "" } }))
      .status,
    cancel: (await api(`/api/executions/${run.id}/cancel`, { user, method: "POST" })).status,
    listed: list.body.executions.some((item) => item.id === run.id),
    deleteAgain: (await api(`/api/executions/${run.id}`, { user, method: "DELETE" })).status,
  };
}

const gone = { record: 404, events: 404, token: 404, rerun: 404, cancel: 404, listed: false, deleteAgain: 404 };

describe("DELETE /api/executions/:id", () => {
  it("removes every trace of an ended run from D1, R2 and its object; keeps its spending entry and the audit row", async () => {
    const user = newUser();
    const run = await endedRun(user);
    const before = await tracesOf(user, run.id);
    expect(before).toMatchObject({ executions: 1, results: 2, spending: 1, blob: true });
    expect(before.storage.rows).toBeGreaterThan(0);

    const deleted = await api(`/api/executions/${run.id}`, { user, method: "DELETE" });
    expect(deleted.status).toBe(204);

    expect(await tracesOf(user, run.id)).toEqual({
      executions: 0,
      results: 0,
      parts: 0,
      spending: 1,
      audit: 1,
      blob: false,
      storage: { keys: ["erased"], rows: 0 },
    });
    expect(await readStatuses(user, run)).toEqual(gone);
  });

  it("cancels a live run first: the upstream call stops, the stream ends, nothing of it stays", async () => {
    const user = newUser();
    const model = await scriptModel({ kind: "stream", chunks: ["Part ", "one ", "never"], hangAfter: 2 });
    const tool = await createToolFor(user, lessonPlanner(model));
    const created = await startExecution(user, tool.id, { topic: "live" });
    const seen = await waitForOutput(user, created.id, "Part one ");
    const following = readSse(
      await api(`/api/executions/${created.id}/events`, { user, headers: { "Last-Event-ID": String(seen) } }),
    );

    expect((await api(`/api/executions/${created.id}`, { user, method: "DELETE" })).status).toBe(204);

    const events = toEvents((await following).messages);
    expect(events.at(-1)?.type).toBe("execution.canceled");
    await waitFor(async () => (await upstreamRequests(model))[0]?.clientClosedAt, 2_000, "the upstream call closed");
    const traces = await tracesOf(user, created.id);
    expect(traces).toMatchObject({ executions: 0, results: 0, blob: false, storage: { keys: ["erased"], rows: 0 } });
    expect(await readStatuses(user, { ...created, promptIds: tool.prompts.map((p) => p.id) })).toEqual(gone);
  });

  it("answers 404 for another user's execution and deletes nothing of it", async () => {
    const owner = newUser();
    const run = await endedRun(owner);
    const intruder = newUser();
    const refused = await apiJson<{ error: { code: string } }>(`/api/executions/${run.id}`, {
      user: intruder,
      method: "DELETE",
    });
    expect(refused.status).toBe(404);
    expect(refused.body.error.code).toBe("not_found");
    expect(await tracesOf(owner, run.id)).toMatchObject({ executions: 1, results: 2, blob: true, audit: 0 });
    expect((await api(`/api/executions/${run.id}`, { user: owner })).status).toBe(200);
  });

  it("frees the run's Idempotency-Key: the same key then creates a new execution", async () => {
    const user = newUser();
    const tool = await createToolFor(user, lessonPlanner(await scriptModel(streamOf("a"), streamOf("b"))));
    const keyed = { "Idempotency-Key": `key-${crypto.randomUUID()}` };
    const first = await startExecution(user, tool.id, { topic: "k" }, keyed);
    await followEvents(user, first.id);
    expect((await api(`/api/executions/${first.id}`, { user, method: "DELETE" })).status).toBe(204);
    const again = await apiJson<{ id: string }>("/api/executions", {
      user,
      body: { toolId: tool.id, inputs: { topic: "k" } },
      headers: keyed,
    });
    expect(again.status).toBe(201);
    expect(again.body.id).not.toBe(first.id);
  });

  it("hides the run at once when D1 fails mid-deletion, and the account's alarm finishes the erasure", async () => {
    const user = newUser();
    const run = await endedRun(user);
    const outage: D1Outage = { failWhen: /delete from "tool_executions"/i, failures: 0 };
    await runInDurableObject(accountStub(user), (account) => account.useStores({ database: flakyD1(env.DB, outage) }));

    expect((await api(`/api/executions/${run.id}`, { user, method: "DELETE" })).status).toBe(204);
    expect(outage.failures).toBeGreaterThan(0);
    // Its object is erased already; D1 still has the rows, yet every read is a 404.
    expect(await tracesOf(user, run.id)).toMatchObject({ executions: 1, storage: { keys: ["erased"] } });
    expect(await readStatuses(user, run)).toEqual(gone);
    expect(await accountStub(user).deletionPending()).toBe(true);

    outage.failWhen = null;
    expect(await runDurableObjectAlarm(accountStub(user))).toBe(true);
    expect(await accountStub(user).deletionPending()).toBe(false);
    expect(await tracesOf(user, run.id)).toMatchObject({ executions: 0, results: 0, blob: false, audit: 1 });
  });
});
