import { createExecutionContext, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { createApp } from "../../src/app";
import type { ExecutionSession } from "../../src/durable/execution-session";
import { api, apiJson, type ErrorJson } from "../helpers/api";
import { newUser, tokenFor } from "../helpers/auth";
import { createToolFor, getRecord } from "../helpers/executions";
import { type D1Outage, flakyD1 } from "../helpers/flaky-d1";
import { sessionStub } from "../helpers/session";
import { readSse } from "../helpers/sse";
import { lessonPlanner } from "../helpers/tools";
import { scriptModel, streamOf } from "../helpers/upstream";

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
  it("answers a clear 500 when the execution cannot be inserted, and leaves nothing behind", async () => {
    const user = newUser();
    const tool = await createToolFor(user, lessonPlanner(await scriptModel(streamOf("x"))));
    const outage: D1Outage = { failWhen: /insert into tool_executions/i, failures: 0 };
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
    expect(JSON.stringify(body)).not.toMatch(/D1_ERROR|INSERT|stack/i);
    expect(outage.failures).toBe(1);
    const list = await apiJson<{ executions: unknown[] }>("/api/executions", { user });
    expect(list.body.executions).toEqual([]);
  });

  it("runs on when a status write fails mid-run, and repairs the records from its alarm when D1 is back", async () => {
    const user = newUser();
    const { tool, executionId, outage, stub } = await pendingWithFlakyDatabase(
      user,
      await scriptModel(streamOf("first answer", 3)),
    );
    // The first prompt's end cannot be recorded: D1 owes the run its records, the run goes on.
    outage.failWhen = /update "prompt_results" set "status" = \?, "output" = \?/i;
    const response = await api("/api/assistant-architect/stream", { user, body: { toolId: tool.id, executionId } });
    const read = await readSse(response);
    expect(lastFrame(read)).toEqual({ type: "complete", executionId });
    expect(outage.failures).toBeGreaterThan(0);
    // Its final write (the whole run, since writes were missed) is owed too while D1 fails.
    expect((await getRecord(user, executionId)).status).toBe("running");

    outage.failWhen = null;
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    const record = await getRecord(user, executionId);
    expect(record.status).toBe("completed");
    expect(record.results.map((result) => [result.status, result.output])).toEqual([
      ["completed", "first answer"],
      ["completed", "first answer"],
    ]);
  });

  it("keeps retrying the final write from the alarm until D1 answers, then records the completed run", async () => {
    const user = newUser();
    const { tool, executionId, outage, stub } = await pendingWithFlakyDatabase(
      user,
      await scriptModel(streamOf("all done")),
    );
    outage.failWhen = /update "tool_executions" set "status" = \?, "error" = \?/i;
    const read = await readSse(
      await api("/api/assistant-architect/stream", { user, body: { toolId: tool.id, executionId } }),
    );
    expect(lastFrame(read)).toEqual({ type: "complete", executionId });

    // Still down: the alarm tries, fails, and stays scheduled.
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    expect((await getRecord(user, executionId)).status).toBe("running");
    outage.failWhen = null;
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    const record = await getRecord(user, executionId);
    expect(record.status).toBe("completed");
    expect(record.results.map((result) => [result.status, result.output])).toEqual([
      ["completed", "all done"],
      ["completed", "all done"],
    ]);
  });
});

describe("an execution whose Durable Object cannot be started", () => {
  it("answers a clear 500 and records the execution failed with every prompt skipped", async () => {
    const user = newUser();
    const tool = await createToolFor(user, lessonPlanner(await scriptModel(streamOf("never"))));
    const unreachable = new Proxy(env.EXECUTION_SESSION, {
      get: (target, prop) =>
        prop === "get"
          ? () => ({ start: () => Promise.reject(new Error("object unavailable")) })
          : Reflect.get(target, prop, target).bind(target),
    });
    const request = new Request("http://localhost/api/executions", {
      method: "POST",
      headers: { Authorization: `Bearer ${await tokenFor(user)}`, "Content-Type": "application/json" },
      body: JSON.stringify({ toolId: tool.id, inputs: { topic: "x" } }),
    });
    const response = await createApp().fetch(
      request,
      { ...env, EXECUTION_SESSION: unreachable },
      createExecutionContext(),
    );
    expect(response.status).toBe(500);
    expect(((await response.json()) as ErrorJson).error.message).toBe("The execution could not be started");
    const [summary] = (await apiJson<{ executions: { id: string }[] }>("/api/executions", { user })).body.executions;
    const record = await getRecord(user, summary!.id);
    expect(record.status).toBe("failed");
    expect(record.results.map((result) => result.status)).toEqual(["skipped", "skipped"]);
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
