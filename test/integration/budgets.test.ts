// Budgets (docs/api.md, "Budgets"): the model is stopped mid-stream the moment the estimate would pass
// what is left, with the partial output kept and the upstream connection closed; parallel prompts
// share one budget; the lower of the tool's and the request's budget applies; a budget needs priced
// models; the estimate is reconciled with the provider's usage; execution.cost reports spending.
// This file owns the upstream names priced-1-upstream and priced-2-upstream (vitest.config.ts).
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { StoredEvent } from "../../src/events/types";
import { chatInputTokens as inputTokensWith, tokenCounter } from "../../src/lib/tokens";
import { apiJson, type ErrorJson } from "../helpers/api";
import { newUser } from "../helpers/auth";
import { type CreatedExecution, createToolFor, followEvents } from "../helpers/executions";
import { scriptModel, scriptUpstreamName, streamOf, upstreamRequests, waitFor } from "../helpers/upstream";

const textTokens = await tokenCounter();
const chatInputTokens = (system: string | null, prompt: string) => inputTokensWith(textTokens, system, prompt);

const PRICE = { input: 2.5, output: 10 };
const LONG = { kind: "stream" as const, chunks: ["word "], repeat: 1000, chunkDelayMs: 2 };

interface BudgetRecord {
  status: string;
  error: { code: string; message: string } | null;
  costMicros: number | null;
  budgetMicros: number | null;
  results: {
    name: string;
    status: string;
    output: string;
    error: { code: string } | null;
    costMicros: number | null;
    estimatedCostMicros: number | null;
    overshootMicros: number | null;
    usage: { inputTokens: number; outputTokens: number } | null;
  }[];
}

async function run(user: string, toolId: string, extra: Record<string, unknown> = {}) {
  const created = await apiJson<CreatedExecution>("/api/executions", { user, body: { toolId, inputs: {}, ...extra } });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  const events = await followEvents(user, created.body.id);
  const { body: record } = await apiJson<BudgetRecord>(`/api/executions/${created.body.id}`, { user });
  return { id: created.body.id, events, record };
}

const deltasOf = (events: StoredEvent[], promptId: string) =>
  events.flatMap((item) => (item.type === "prompt.delta" && item.data.promptId === promptId ? [item.data.delta] : []));

/** The upstream's last request for `model`, once the service has closed it (or it finished). */
const lastRequestClosed = (model: string) =>
  waitFor(
    async () => {
      const last = (await upstreamRequests(model)).at(-1);
      return last && (last.clientClosedAt !== null || last.finishedAt !== null) ? last : undefined;
    },
    10_000,
    `the ${model} request to end`,
  );

describe("a budget", () => {
  it("bounds each call's output to what it can pay after the input, sent as max_completion_tokens; an answer cut at that bound ran out of budget", async () => {
    // Four characters a token, for the tokenizer and the upstream alike: the upstream stops at the bound.
    await scriptUpstreamName("priced-1-upstream", [{ kind: "stream", chunks: ["word"], repeat: 1000 }]);
    const user = newUser();
    const tool = await createToolFor(user, {
      name: "Bounded",
      budget: { maxCostMicros: 300 },
      inputFields: [],
      prompts: [
        { name: "long", position: 0, model: "priced-1", content: "Write at length" },
        { name: "after", position: 1, model: "demo", content: "Then {{long}}" },
      ],
    });
    const { events, record } = await run(user, tool.id);
    const input = chatInputTokens(null, "Write at length") * PRICE.input;
    const bound = Math.floor((300 - input) / PRICE.output);
    const [request] = await upstreamRequests("priced-1-upstream").then((requests) => requests.slice(-1));
    expect(request?.body.max_completion_tokens).toBe(bound);
    expect(request?.body.max_tokens).toBeUndefined();
    const [long, after] = record.results;
    expect(long).toMatchObject({ status: "failed", error: { code: "budget_exceeded" }, output: "word".repeat(bound) });
    expect(after?.status).toBe("skipped");
    expect(record).toMatchObject({ status: "failed", error: { code: "budget_exceeded" }, budgetMicros: 300 });
    expect(record.costMicros).toBeLessThanOrEqual(300);
    expect(events.at(-1)).toMatchObject({ type: "execution.failed", data: { error: { code: "budget_exceeded" } } });
  });

  it("stops a model that ignores the bound mid-stream: partial output kept, upstream closed, later prompts skipped", async () => {
    await scriptUpstreamName("priced-1-upstream", [{ ...LONG, ignoreBound: true }]);
    const user = newUser();
    const tool = await createToolFor(user, {
      name: "Budgeted",
      budget: { maxCostMicros: 300 },
      inputFields: [],
      prompts: [
        { name: "long", position: 0, model: "priced-1", content: "Write at length" },
        { name: "after", position: 1, model: "demo", content: "Then {{long}}" },
      ],
    });
    const { events, record } = await run(user, tool.id);
    const [long, after] = record.results;
    const longId = tool.prompts[0]?.id ?? "";
    expect(long).toMatchObject({ status: "failed", error: { code: "budget_exceeded" } });
    expect(after?.status).toBe("skipped");
    expect(record).toMatchObject({ status: "failed", error: { code: "budget_exceeded" }, budgetMicros: 300 });
    expect(events.at(-1)).toMatchObject({ type: "execution.failed", data: { error: { code: "budget_exceeded" } } });
    expect(events).toContainEqual(
      expect.objectContaining({ type: "prompt.failed", data: { promptId: longId, error: expect.anything() } }),
    );
    // The output is every delta sent, and no more than the budget allowed.
    const output = deltasOf(events, longId).join("");
    expect(long?.output).toBe(output);
    const input = chatInputTokens(null, "Write at length") * PRICE.input;
    const perChunk = textTokens("word ") * PRICE.output;
    // Deltas may be coalesced on the way out: count the chunks in the text.
    expect(output.split("word ").length - 1).toBe(Math.floor((300 - input) / perChunk));
    expect(long?.estimatedCostMicros).toBeLessThanOrEqual(300);
    expect(record.costMicros).toBeLessThanOrEqual(300);
    // The model call was stopped, not left to stream into the void.
    const request = await lastRequestClosed("priced-1-upstream");
    expect(request.clientClosedAt).not.toBeNull();
    expect(request.chunksSent).toBeLessThan(1000);
  });

  it("holds against what a provider bills but never streams (a reasoning model): 50× its stream never passes the budget", async () => {
    // Streams "ok" and bills 50 times the budget in output tokens, but never past the bound it was sent.
    const reasoning = {
      kind: "stream" as const,
      chunks: ["ok"],
      usage: { prompt_tokens: 0, completion_tokens: 500_000 },
    };
    await scriptUpstreamName("priced-2-upstream", [reasoning]);
    const user = newUser();
    const tool = await createToolFor(user, {
      name: "Thinks",
      budget: { maxCostMicros: 100_000 },
      inputFields: [],
      prompts: [
        { name: "think", position: 0, model: "priced-2", content: "Think hard" },
        { name: "again", position: 1, model: "priced-2", content: "Again {{think}}" },
      ],
    });
    const { record } = await run(user, tool.id);
    const [think, again] = record.results;
    const bound = Math.floor((100_000 - chatInputTokens(null, "Think hard") * PRICE.input) / PRICE.output);
    expect((await upstreamRequests("priced-2-upstream")).map((request) => request.body.max_completion_tokens)).toEqual([
      bound,
    ]);
    expect(think).toMatchObject({ status: "completed", output: "ok", usage: { inputTokens: 0, outputTokens: bound } });
    expect(think?.costMicros).toBeLessThanOrEqual(100_000);
    expect(think?.overshootMicros).toBe(0);
    // Nothing is left for the next prompt: it fails without a model call.
    expect(again).toMatchObject({ status: "failed", error: { code: "budget_exceeded" } });
    expect(record.costMicros).toBeLessThanOrEqual(100_000);
  });

  it("records what a provider that ignores the bound billed past it (overshootMicros)", async () => {
    await scriptUpstreamName("priced-2-upstream", [
      { kind: "stream", chunks: ["ok"], usage: { prompt_tokens: 0, completion_tokens: 500_000 }, ignoreBound: true },
    ]);
    const user = newUser();
    const tool = await createToolFor(user, {
      name: "Overshoots",
      budget: { maxCostMicros: 100_000 },
      inputFields: [],
      prompts: [{ name: "think", position: 0, model: "priced-2", content: "Think hard" }],
    });
    const { record } = await run(user, tool.id);
    const reserved =
      chatInputTokens(null, "Think hard") * PRICE.input +
      Math.floor((100_000 - chatInputTokens(null, "Think hard") * PRICE.input) / PRICE.output) * PRICE.output;
    expect(record.results[0]).toMatchObject({ status: "completed", costMicros: 5_000_000 });
    expect(record.results[0]?.overshootMicros).toBe(Math.ceil(5_000_000 - reserved));
  });

  it("that cannot pay for the first prompts' input and minimum output is a 400 naming budget, and no model is called", async () => {
    await scriptUpstreamName("priced-1-upstream", [LONG]);
    const user = newUser();
    const tool = await createToolFor(user, {
      name: "Too small",
      inputFields: [],
      prompts: [{ name: "long", position: 0, model: "priced-1", content: "Write at length" }],
    });
    const calls = (await upstreamRequests("priced-1-upstream")).length;
    const need = Math.ceil(chatInputTokens(null, "Write at length") * PRICE.input + 16 * PRICE.output);
    const refused = await apiJson<ErrorJson>("/api/executions", {
      user,
      body: { toolId: tool.id, inputs: {}, budget: { maxCostMicros: need - 1 } },
    });
    expect(refused.status).toBe(400);
    expect(refused.body.error.details?.fields).toEqual([
      { path: "budget", message: expect.stringContaining(`${need}`) },
    ]);
    expect(await upstreamRequests("priced-1-upstream")).toHaveLength(calls);
    const enough = await run(user, tool.id, { budget: { maxCostMicros: need } });
    expect(enough.record.error?.code).toBe("budget_exceeded");
    expect(enough.record.results[0]?.output).not.toBe("");
  });

  it("is shared by parallel prompts: together they stay within it, though each alone would have fit more", async () => {
    await scriptUpstreamName("priced-1-upstream", [LONG]);
    await scriptUpstreamName("priced-2-upstream", [LONG]);
    const user = newUser();
    const tool = await createToolFor(user, {
      name: "Parallel",
      budget: { maxCostMicros: 400 },
      inputFields: [],
      prompts: [
        { name: "left", position: 0, model: "priced-1", content: "Write at length" },
        { name: "right", position: 0, model: "priced-2", content: "Write at length" },
      ],
    });
    const { events, record } = await run(user, tool.id);
    const counts = tool.prompts.map((prompt) => deltasOf(events, prompt.id).join("").split("word ").length - 1);
    const input = chatInputTokens(null, "Write at length") * PRICE.input;
    const perChunk = textTokens("word ") * PRICE.output;
    const alone = Math.floor((400 - input) / perChunk);
    const together = Math.floor((400 - 2 * input) / perChunk);
    expect(record.results.map((result) => result.error?.code)).toEqual(["budget_exceeded", "budget_exceeded"]);
    for (const count of counts) {
      expect(count).toBeGreaterThan(0);
      expect(count).toBeLessThan(alone);
    }
    expect((counts[0] ?? 0) + (counts[1] ?? 0)).toBe(together);
    expect(record.costMicros).toBeLessThanOrEqual(400);
    await lastRequestClosed("priced-1-upstream");
    await lastRequestClosed("priced-2-upstream");
  });

  it("is the lower of the tool's and the request's, on create and on rerun", async () => {
    await scriptUpstreamName("priced-1-upstream", [LONG]);
    const user = newUser();
    const tool = await createToolFor(user, {
      name: "Two budgets",
      budget: { maxCostMicros: 1000 },
      inputFields: [],
      prompts: [{ name: "long", position: 0, model: "priced-1", content: "Write at length" }],
    });
    const lower = await run(user, tool.id, { budget: { maxCostMicros: 200 } });
    expect(lower.record).toMatchObject({ budgetMicros: 200, error: { code: "budget_exceeded" } });
    expect(lower.record.costMicros).toBeLessThanOrEqual(200);
    expect(lower.events).toContainEqual(
      expect.objectContaining({ type: "execution.cost", data: expect.objectContaining({ budgetMicros: 200 }) }),
    );
    const higher = await run(user, tool.id, { budget: { maxCostMicros: 50_000 } });
    expect(higher.record).toMatchObject({ budgetMicros: 1000, error: { code: "budget_exceeded" } });
    expect(higher.record.costMicros).toBeGreaterThan(200);
    expect(higher.record.costMicros).toBeLessThanOrEqual(1000);
    // A rerun is held to the source's tool budget too.
    const rerun = await apiJson<CreatedExecution>(`/api/executions/${lower.id}/rerun`, {
      user,
      body: { budget: { maxCostMicros: 5000 } },
    });
    expect(rerun.status).toBe(201);
    await followEvents(user, rerun.body.id);
    const { body: rerunRecord } = await apiJson<BudgetRecord>(`/api/executions/${rerun.body.id}`, { user });
    expect(rerunRecord.budgetMicros).toBe(1000);
    await lastRequestClosed("priced-1-upstream");
  });

  it("with a model that has no price is a 400 on create, rerun and tool save, naming the prompt", async () => {
    const user = newUser();
    const unpriced = await scriptModel(streamOf("free"));
    const tool = await createToolFor(user, {
      name: "Unpriced",
      inputFields: [],
      prompts: [{ name: "free", position: 0, model: unpriced, content: "Hi" }],
    });
    const created = await apiJson<ErrorJson>("/api/executions", {
      user,
      body: { toolId: tool.id, inputs: {}, budget: { maxCostMicros: 100 } },
    });
    expect(created.status).toBe(400);
    expect(created.body.error.code).toBe("validation_failed");
    expect(created.body.error.details?.fields?.[0]?.message).toContain(`prompt "free" uses the model "${unpriced}"`);
    const saved = await apiJson<ErrorJson>("/api/tools", {
      user,
      body: {
        name: "Unpriced with budget",
        budget: { maxCostMicros: 100 },
        prompts: [{ name: "free", position: 0, model: unpriced, content: "Hi" }],
      },
    });
    expect(saved.status).toBe(400);
    expect(saved.body.error.details?.fields).toEqual([
      { path: "prompts.0.model", message: expect.stringContaining("has no price") },
    ]);
    const source = await run(user, tool.id);
    const rerun = await apiJson<ErrorJson>(`/api/executions/${source.id}/rerun`, {
      user,
      body: { budget: { maxCostMicros: 100 } },
    });
    expect(rerun.status).toBe(400);
    for (const body of [created.body, saved.body, rerun.body]) {
      expect(JSON.stringify(body)).not.toContain(env.CATALOGUE_TEST_KEY);
    }
  });

  it("rejects a budget that is not a positive whole number of micro-dollars", async () => {
    const user = newUser();
    for (const budget of [{ maxCostMicros: 0 }, { maxCostMicros: 1.5 }, { maxCostMicros: "100" }, { max: 1 }, 5]) {
      const response = await apiJson<ErrorJson>("/api/executions", {
        user,
        body: { toolId: "any", inputs: {}, budget },
      });
      expect(response.status, JSON.stringify(budget)).toBe(400);
    }
  });
});

describe("cost while streaming", () => {
  it("records the provider's usage and the tokenizer's estimate side by side when they differ", async () => {
    await scriptUpstreamName("priced-2-upstream", [
      { kind: "stream", chunks: ["alpha ", "beta ", "gamma"], usage: { prompt_tokens: 50, completion_tokens: 99 } },
    ]);
    const user = newUser();
    const tool = await createToolFor(user, {
      name: "Reconciled",
      inputFields: [],
      prompts: [{ name: "short", position: 0, model: "priced-2", content: "Three words" }],
    });
    const { events, record } = await run(user, tool.id);
    const [short] = record.results;
    expect(short?.costMicros).toBe(50 * PRICE.input + 99 * PRICE.output);
    // Each delta is counted as it arrives (a token split across deltas counts twice: the estimate errs high).
    const outputTokens = ["alpha ", "beta ", "gamma"].reduce((total, delta) => total + textTokens(delta), 0);
    const estimate = chatInputTokens(null, "Three words") * PRICE.input + outputTokens * PRICE.output;
    expect(short?.estimatedCostMicros).toBe(Math.ceil(estimate));
    expect(events).toContainEqual(
      expect.objectContaining({ type: "prompt.completed", data: expect.objectContaining({ costMicros: 1115 }) }),
    );
  });

  it("counts an attempt the provider never reported (a cut stream) at its estimate", async () => {
    await scriptUpstreamName("priced-2-upstream", [
      { kind: "stream", chunks: ["cut ", "short ", "never sent"], dropAfter: 2 },
      { kind: "stream", chunks: ["whole"], usage: { prompt_tokens: 10, completion_tokens: 10 } },
    ]);
    const user = newUser();
    const tool = await createToolFor(user, {
      name: "Cut",
      inputFields: [],
      prompts: [{ name: "cut", position: 0, model: "priced-2", content: "Go" }],
    });
    const { record } = await run(user, tool.id);
    const firstAttempt =
      chatInputTokens(null, "Go") * PRICE.input + (textTokens("cut ") + textTokens("short ")) * PRICE.output;
    expect(record.results[0]).toMatchObject({ status: "completed", output: "whole" });
    expect(record.results[0]?.costMicros).toBe(Math.ceil(firstAttempt + 10 * PRICE.input + 10 * PRICE.output));
  });

  it("sends execution.cost at most once a second while spending grows, never past the budget", async () => {
    await scriptUpstreamName("priced-1-upstream", [
      { kind: "stream", chunks: ["word "], repeat: 120, chunkDelayMs: 20 },
    ]);
    const user = newUser();
    const tool = await createToolFor(user, {
      name: "Reported",
      budget: { maxCostMicros: 100_000 },
      inputFields: [],
      prompts: [{ name: "slow", position: 0, model: "priced-1", content: "Slowly" }],
    });
    const { events, record } = await run(user, tool.id);
    const costs = events.flatMap((item) => (item.type === "execution.cost" ? [item.data] : []));
    const durationMs = events.flatMap((item) => (item.type === "execution.completed" ? [item.data.durationMs] : []))[0];
    expect(record.status).toBe("completed");
    expect(costs.length).toBeGreaterThanOrEqual(2);
    expect(costs.length).toBeLessThanOrEqual(Math.floor((durationMs ?? 0) / 1000) + 1);
    for (const [index, cost] of costs.entries()) {
      expect(cost.budgetMicros).toBe(100_000);
      expect(cost.spentMicros).toBeGreaterThan(costs[index - 1]?.spentMicros ?? 0);
      expect(cost.spentMicros).toBeLessThanOrEqual(record.results[0]?.estimatedCostMicros ?? 0);
    }
  });
});
