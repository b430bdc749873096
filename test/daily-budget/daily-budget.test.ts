// USER_DAILY_BUDGET_MICROS (this project's deployment sets it: vitest.config.ts): one user's runs
// share the day's budget, a run is stopped mid-stream when the day's budget runs out, concurrent
// runs can never spend more than it between them, a user over it gets 429 budget_exhausted with
// Retry-After until the next UTC day, and a run whose cost cannot be counted is refused.
// This file owns the upstream names priced-3-upstream and priced-4-upstream.

import { abortAllDurableObjects, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { ExecutionSession } from "../../src/durable/execution-session";
import { chatInputTokens as inputTokensWith, tokenCounter } from "../../src/lib/tokens";
import { accountStub } from "../helpers/account";
import { api, apiJson, type ErrorJson } from "../helpers/api";
import { newUser } from "../helpers/auth";
import { type CreatedExecution, createToolFor, followEvents } from "../helpers/executions";
import { forward } from "../helpers/observed-d1";
import { sessionStub } from "../helpers/session";
import { readSse } from "../helpers/sse";
import { scriptModel, scriptUpstreamName, streamOf, upstreamRequests, waitFor } from "../helpers/upstream";
import { TEST_DAILY_BUDGET_MICROS as CAP } from "./cap";

const LONG = { kind: "stream" as const, chunks: ["word "], repeat: 2000, chunkDelayMs: 1 };
const textTokens = await tokenCounter();
const chatInputTokens = (system: string | null, prompt: string) => inputTokensWith(textTokens, system, prompt);

interface DailyRecord {
  status: string;
  error: { code: string; message: string } | null;
  costMicros: number | null;
  results: { output: string; error: { code: string } | null }[];
}

async function toolOn(user: string, model: string) {
  return createToolFor(user, {
    name: `On ${model}`,
    inputFields: [],
    prompts: [{ name: "answer", position: 0, model, content: "Write at length" }],
  });
}

async function run(user: string, toolId: string): Promise<DailyRecord> {
  const created = await apiJson<CreatedExecution>("/api/executions", { user, body: { toolId, inputs: {} } });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  await followEvents(user, created.body.id);
  return (await apiJson<DailyRecord>(`/api/executions/${created.body.id}`, { user })).body;
}

describe("the daily budget", () => {
  it("is shared by a user's runs: the run that reaches it is stopped mid-stream, and the next never calls the model", async () => {
    await scriptUpstreamName("priced-3-upstream", [streamOf("word ".repeat(80), 5)]);
    await scriptUpstreamName("priced-4-upstream", [LONG]);
    const user = newUser();
    const short = await toolOn(user, "priced-3");
    const long = await toolOn(user, "priced-4");
    const first = await run(user, short.id);
    expect(first.status).toBe("completed");
    expect(first.costMicros).toBeGreaterThan(0);
    const stopped = await run(user, long.id);
    expect(stopped).toMatchObject({ status: "failed", error: { code: "budget_exceeded" } });
    expect(stopped.error?.message).toMatch(/daily budget is used up/);
    expect(stopped.results[0]?.output).toMatch(/^(word )+$/);
    expect((first.costMicros ?? 0) + (stopped.costMicros ?? 0)).toBeLessThanOrEqual(CAP);
    expect(await accountStub(user).spentToday()).toBeLessThanOrEqual(CAP);
    // Less is left than the next prompt's input and minimum output: refused at create, no model call.
    const calls = (await upstreamRequests("priced-3-upstream")).length;
    const next = await apiJson<ErrorJson>("/api/executions", { user, body: { toolId: short.id, inputs: {} } });
    expect(next.status).toBe(429);
    expect(next.body.error.code).toBe("budget_exhausted");
    expect(await upstreamRequests("priced-3-upstream")).toHaveLength(calls);
    // Another user's day is their own.
    const other = newUser();
    expect((await run(other, (await toolOn(other, "priced-3")).id)).status).toBe("completed");
  });

  it("once spent (the provider billed more than it streamed, up to the bound), answers 429 budget_exhausted with Retry-After until the next UTC day", async () => {
    await scriptUpstreamName("priced-3-upstream", [
      streamOf("word ".repeat(40), 5, { usage: { prompt_tokens: 0, completion_tokens: 4000 } }),
    ]);
    const user = newUser();
    const tool = await toolOn(user, "priced-3");
    const billed = await run(user, tool.id);
    const bound = (await upstreamRequests("priced-3-upstream")).at(-1)?.body.max_completion_tokens ?? 0;
    expect(billed).toMatchObject({ status: "completed", costMicros: bound * 10 });
    expect(billed.costMicros).toBeLessThanOrEqual(CAP);
    const before = Date.now();
    const refused = await api("/api/executions", { user, body: { toolId: tool.id, inputs: {} } });
    expect(refused.status).toBe(429);
    const body = (await refused.json()) as ErrorJson;
    expect(body.error).toMatchObject({ code: "budget_exhausted", message: expect.stringMatching(/daily budget/) });
    const nextDay = Math.floor(before / 86_400_000 + 1) * 86_400_000;
    const retryAfter = Number(refused.headers.get("Retry-After"));
    expect(retryAfter).toBeGreaterThanOrEqual(Math.floor((nextDay - Date.now()) / 1000));
    expect(retryAfter).toBeLessThanOrEqual(Math.ceil((nextDay - before) / 1000));
    // A rerun is a run too.
    const listed = await apiJson<{ executions: { id: string }[] }>("/api/executions", { user });
    // A rerun that calls a model is a run too (one that reuses every prompt calls none).
    const rerun = await api(`/api/executions/${listed.body.executions[0]?.id}/rerun`, {
      user,
      body: { fromPromptId: tool.prompts[0]?.id },
    });
    expect(rerun.status).toBe(429);
  });

  it("holds across concurrent runs: together they never spend more than the day's budget", async () => {
    await scriptUpstreamName("priced-4-upstream", [LONG]);
    const user = newUser();
    const tool = await toolOn(user, "priced-4");
    const records = await Promise.all([run(user, tool.id), run(user, tool.id), run(user, tool.id)]);
    for (const record of records) expect(record.error?.code).toBe("budget_exceeded");
    const total = records.reduce((sum, record) => sum + (record.costMicros ?? 0), 0);
    expect(total).toBeLessThanOrEqual(CAP);
    expect(total).toBeGreaterThan(CAP * 0.9);
  });

  it("refuses a run on a model without a price: its cost could not be counted against the day", async () => {
    const user = newUser();
    const unpriced = await scriptModel(streamOf("free"));
    const tool = await toolOn(user, unpriced);
    const refused = await apiJson<ErrorJson>("/api/executions", { user, body: { toolId: tool.id, inputs: {} } });
    expect(refused.status).toBe(400);
    expect(refused.body.error.details?.fields?.[0]?.message).toContain("the daily budget cannot be enforced");
    // The built-in demo model costs nothing and runs.
    expect((await run(user, (await toolOn(user, "demo")).id)).status).toBe("completed");
  });

  it("stops a run whose daily budget cannot be checked (its account unreachable): never spends unchecked", async () => {
    await scriptUpstreamName("priced-3-upstream", [streamOf("word ".repeat(20), 5)]);
    const user = newUser();
    const tool = await toolOn(user, "priced-3");
    // Created pending, started by the original endpoint (which checks the day too).
    const { body } = await apiJson<{ id: string }>("/api/executions", {
      user,
      body: { toolId: tool.id, inputs: {}, start: false },
    });
    const unreachable = new Proxy(env.USER_ACCOUNT, {
      get: (target, prop) =>
        prop === "get"
          ? () => ({
              holdDaily: () => Promise.reject(new Error("account unavailable")),
              renewLease: () => Promise.resolve(),
            })
          : forward(target, prop),
    });
    await runInDurableObject(sessionStub(body.id), (instance: ExecutionSession) =>
      instance.internals().useAccounts(unreachable),
    );
    const calls = (await upstreamRequests("priced-3-upstream")).length;
    const response = await api("/api/assistant-architect/stream", {
      user,
      body: { toolId: tool.id, executionId: body.id },
    });
    const frames = (await readSse(response)).messages.map(
      (message) => JSON.parse(message.data) as { type: string; code?: string },
    );
    expect(frames.at(-1)).toMatchObject({ type: "error", code: "database_unavailable" });
    expect(await upstreamRequests("priced-3-upstream")).toHaveLength(calls);
  });

  it("holds against what providers bill but never stream: eight concurrent runs never pass the day together", async () => {
    // Each run streams "ok" and bills 150 output tokens (a reasoning model), never past its bound.
    await scriptUpstreamName("priced-4-upstream", [
      { kind: "stream", chunks: ["ok"], usage: { prompt_tokens: 5, completion_tokens: 150 }, chunkDelayMs: 5 },
    ]);
    const user = newUser();
    const tool = await toolOn(user, "priced-4");
    const records = await Promise.all(Array.from({ length: 8 }, () => run(user, tool.id)));
    const total = records.reduce((sum, record) => sum + (record.costMicros ?? 0), 0);
    expect(total).toBeLessThanOrEqual(CAP);
    expect(await accountStub(user).spentToday()).toBeLessThanOrEqual(CAP);
    expect(records.some((record) => record.status === "completed")).toBe(true);
    for (const record of records.filter((item) => item.status !== "completed"))
      expect(record.error?.code).toBe("budget_exceeded");
  });

  it("checks a pending create (start: false) against the day at create, as well as at start", async () => {
    await scriptUpstreamName("priced-3-upstream", [
      streamOf("word ", 5, { usage: { prompt_tokens: 0, completion_tokens: 4000 } }),
    ]);
    const user = newUser();
    const tool = await toolOn(user, "priced-3");
    await run(user, tool.id);
    const pending = await apiJson<ErrorJson>("/api/executions", {
      user,
      body: { toolId: tool.id, inputs: {}, start: false },
    });
    expect(pending.status).toBe(429);
    expect(pending.body.error.code).toBe("budget_exhausted");
  });

  it("holds exactly its own reservation after its object restarts mid-prompt: the cut call at what it held, plus the new one", async () => {
    await scriptUpstreamName("priced-3-upstream", [
      { kind: "stream", chunks: ["cut ", "never"], hangAfter: 1 },
      { kind: "stream", chunks: ["again "], repeat: 10, chunkDelayMs: 100 },
    ]);
    const user = newUser();
    const tool = await createToolFor(user, {
      name: "Restarted",
      inputFields: [],
      prompts: [{ name: "answer", position: 0, model: "priced-3", content: "Write", maxTokens: 50 }],
    });
    const created = await apiJson<CreatedExecution>("/api/executions", { user, body: { toolId: tool.id, inputs: {} } });
    expect(created.status).toBe(201);
    const reserved = () => accountStub(user).heldBy(created.body.id);
    await waitFor(async () => (await upstreamRequests("priced-3-upstream"))[0]?.chunksSent === 1, 5_000, "a chunk");
    const oneCall = await reserved();
    // Each call holds its input and its bound (the prompt's 50 tokens) at the price.
    expect(oneCall).toBe(Math.ceil(chatInputTokens(null, "Write") * 2.5 + 50 * 10));
    await abortAllDurableObjects();
    await sessionStub(created.body.id).wake();
    await waitFor(async () => (await upstreamRequests("priced-3-upstream"))[1]?.chunksSent, 5_000, "the second call");
    expect((await upstreamRequests("priced-3-upstream"))[1]?.body.max_completion_tokens).toBe(50);
    // The cut call counts at what it held (what the provider billed for it is unknown), the new one holds its own.
    expect(await reserved()).toBe(2 * (oneCall ?? 0));
    await followEvents(user, created.body.id);
    const record = (await apiJson<DailyRecord>(`/api/executions/${created.body.id}`, { user })).body;
    expect(record.status).toBe("completed");
    expect(await accountStub(user).spentToday()).toBe(record.costMicros);
  });

  it("holds exactly under 20 parallel creates across both routes: the day's total never passes the cap", async () => {
    await scriptUpstreamName("priced-4-upstream", [
      { kind: "stream", chunks: ["ok"], usage: { prompt_tokens: 5, completion_tokens: 150 }, chunkDelayMs: 5 },
    ]);
    const user = newUser();
    const tool = await toolOn(user, "priced-4");
    const ids = await Promise.all(
      Array.from({ length: 20 }, async (_, i) => {
        if (i % 2 === 0) {
          const created = await apiJson<CreatedExecution>("/api/executions", {
            user,
            body: { toolId: tool.id, inputs: {} },
          });
          return created.status === 201 ? created.body.id : null;
        }
        const response = await api("/api/assistant-architect/stream", { user, body: { toolId: tool.id, inputs: {} } });
        const id = response.headers.get("X-Execution-Id");
        await readSse(response);
        return response.status === 200 ? id : null;
      }),
    );
    const records = await Promise.all(
      ids
        .flatMap((id) => (id ? [id] : []))
        .map(async (id) => {
          await followEvents(user, id);
          return (await apiJson<DailyRecord>(`/api/executions/${id}`, { user })).body;
        }),
    );
    const total = records.reduce((sum, record) => sum + (record.costMicros ?? 0), 0);
    expect(total).toBeLessThanOrEqual(CAP);
    expect(await accountStub(user).spentToday()).toBeLessThanOrEqual(CAP);
  });
});
