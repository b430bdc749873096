import { createExecutionContext, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { createApp } from "../../src/app";
import { createDb } from "../../src/db/client";
import { readOwnExecution } from "../../src/db/execution-contents";
import type { ExecutionSession } from "../../src/durable/execution-session";
import { api, apiJson, type ErrorJson } from "../helpers/api";
import { newUser, tokenFor } from "../helpers/auth";
import { createToolFor, getRecord } from "../helpers/executions";
import { type D1Outage, flakyD1 } from "../helpers/flaky-d1";
import { forward } from "../helpers/observed-d1";
import { sessionStub } from "../helpers/session";
import { readSse } from "../helpers/sse";
import { lessonPlanner } from "../helpers/tools";
import { scriptModel, streamOf, waitFor } from "../helpers/upstream";

/** Creates a pending execution whose Durable Object talks to a D1 that fails on demand. */
async function pendingWithFlakyDatabase(user: string, model: string) {
  const tool = await createToolFor(user, lessonPlanner(model));
  const { body } = await apiJson<{ id: string }>("/api/executions", {
    user,
    body: { toolId: tool.id, inputs: { topic: "outage" }, start: false },
  });
  const outage: D1Outage = { failWhen: null, failures: 0 };
  const stub = sessionStub(body.id);
  await runInDurableObject(stub, (instance: ExecutionSession) =>
    instance.internals().useDatabase(flakyD1(env.DB, outage)),
  );
  return { tool, executionId: body.id, outage, stub };
}

const lastFrame = (read: Awaited<ReturnType<typeof readSse>>) =>
  JSON.parse(read.messages.at(-1)?.data ?? "{}") as { type: string; code?: string; error?: string };

describe("D1 outages", () => {
  it("answers a clear 500 when the tool cannot be read, and leaves nothing behind (no slot taken)", async () => {
    const user = newUser();
    const tool = await createToolFor(user, lessonPlanner(await scriptModel(streamOf("x"))));
    const outage: D1Outage = { failWhen: /from "tools"/i, failures: 0 };
    const request = new Request("http://localhost/api/executions", {
      method: "POST",
      headers: { Authorization: `Bearer ${await tokenFor(user)}`, "Content-Type": "application/json" },
      body: JSON.stringify({ toolId: tool.id, inputs: { topic: "x" } }),
    });
    const response = await createApp().fetch(
      request,
      { ...env, DB: flakyD1(env.DB, outage) },
      createExecutionContext(),
    );
    expect(response.status).toBe(500);
    const body = (await response.json()) as ErrorJson;
    expect(body.error.code).toBe("internal");
    expect(JSON.stringify(body)).not.toMatch(/D1_ERROR|SELECT|stack/i);
    expect(outage.failures).toBeGreaterThan(0);
    const list = await apiJson<{ executions: unknown[] }>("/api/executions", { user });
    expect(list.body.executions).toEqual([]);
  });

  it("runs and streams normally while D1 fails for the whole run; the record appears once D1 is back", async () => {
    const user = newUser();
    const { tool, executionId, outage, stub } = await pendingWithFlakyDatabase(
      user,
      await scriptModel(streamOf("first answer", 3)),
    );
    outage.failWhen = /tool_executions|prompt_results/i;
    const response = await api("/api/assistant-architect/stream", { user, body: { toolId: tool.id, executionId } });
    const read = await readSse(response);
    expect(lastFrame(read)).toEqual({ type: "complete", executionId });
    expect(outage.failures).toBeGreaterThan(0);
    // The record of the run comes from its object meanwhile, whole, and the list has it from the account.
    expect((await getRecord(user, executionId)).status).toBe("completed");
    await waitFor(
      async () => {
        const list = await apiJson<{ executions: { id: string; status: string }[] }>("/api/executions", { user });
        return list.body.executions.some((item) => item.id === executionId && item.status === "completed");
      },
      5_000,
      "the list to show the run completed",
    );
    const indexed = () =>
      env.DB.prepare("SELECT status FROM tool_executions WHERE id = ?").bind(executionId).first<{ status: string }>();
    expect((await indexed())?.status).toBe("pending");

    outage.failWhen = null;
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    expect((await indexed())?.status).toBe("completed");
    // The index in D1, and the whole record from D1 and R2 once the object has let go of it.
    const results = await env.DB.prepare(
      "SELECT status, output_preview AS preview FROM prompt_results WHERE execution_id = ? ORDER BY ordinal",
    )
      .bind(executionId)
      .all<{ status: string; preview: string }>();
    expect(results.results.map((result) => [result.status, result.preview])).toEqual([
      ["completed", "first answer"],
      ["completed", "first answer"],
    ]);
    const whole = await readOwnExecution(createDb(env.DB), env.OUTPUTS, executionId, user);
    expect(whole?.results.map((result) => result.output)).toEqual(["first answer", "first answer"]);
  });

  it("keeps retrying the final write from the alarm until D1 answers, then records the completed run", async () => {
    const user = newUser();
    const slow = await scriptModel(streamOf("all done", 2, { chunkDelayMs: 50 }));
    const { tool, executionId, outage, stub } = await pendingWithFlakyDatabase(user, slow);
    const response = api("/api/assistant-architect/stream", { user, body: { toolId: tool.id, executionId } });
    const indexed = () =>
      env.DB.prepare("SELECT status FROM tool_executions WHERE id = ?").bind(executionId).first<{ status: string }>();
    // The start's record lands; then D1 goes down before the end.
    await waitFor(async () => (await indexed())?.status === "running", 5_000, "the start's record");
    outage.failWhen = /insert into "tool_executions"/i;
    expect(lastFrame(await readSse(await response))).toEqual({ type: "complete", executionId });

    // Still down: the alarm tries, fails, and stays scheduled.
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    expect((await indexed())?.status).toBe("running");
    outage.failWhen = null;
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    expect((await indexed())?.status).toBe("completed");
  });
});

describe("an execution whose Durable Object cannot be started", () => {
  it("answers a clear 500, leaves nothing behind, and gives its slot back", async () => {
    const user = newUser();
    const tool = await createToolFor(user, lessonPlanner(await scriptModel(streamOf("never"))));
    const unreachable = new Proxy(env.EXECUTION_SESSION, {
      get: (target, prop) =>
        prop === "get"
          ? () => ({ start: () => Promise.reject(new Error("object unavailable")) })
          : forward(target, prop),
    });
    const create = async () =>
      createApp().fetch(
        new Request("http://localhost/api/executions", {
          method: "POST",
          headers: { Authorization: `Bearer ${await tokenFor(user)}`, "Content-Type": "application/json" },
          body: JSON.stringify({ toolId: tool.id, inputs: { topic: "x" } }),
        }),
        { ...env, EXECUTION_SESSION: unreachable },
        createExecutionContext(),
      );
    for (let i = 0; i < 6; i++) {
      const response = await create();
      expect(response.status).toBe(500);
      expect(((await response.json()) as ErrorJson).error.message).toBe("The execution could not be started");
    }
    expect((await apiJson<{ executions: unknown[] }>("/api/executions", { user })).body.executions).toEqual([]);
  });
});

describe("concurrency slots", () => {
  it("are freed when executions fail, so failures never leak a slot", async () => {
    const user = newUser();
    const failing = await scriptModel({ kind: "error", status: 400 });
    const tool = await createToolFor(user, lessonPlanner(failing));
    const first = await Promise.all(
      Array.from({ length: 5 }, () =>
        apiJson<{ id: string }>("/api/executions", { user, body: { toolId: tool.id, inputs: { topic: "x" } } }),
      ),
    );
    expect(first.map((response) => response.status)).toEqual([201, 201, 201, 201, 201]);
    for (const response of first) await readSse(await api(`/api/executions/${response.body.id}/events`, { user }));
    const second = await Promise.all(
      Array.from({ length: 5 }, () =>
        apiJson("/api/executions", { user, body: { toolId: tool.id, inputs: { topic: "x" } } }),
      ),
    );
    expect(second.map((response) => response.status)).toEqual([201, 201, 201, 201, 201]);
  });
});
