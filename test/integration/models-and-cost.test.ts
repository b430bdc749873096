// The model catalogue over the API and at run time: GET /api/models (no keys), each entry's own
// upstream name and key, cost per prompt and per execution, and ALLOW_UNLISTED_MODELS=false.
import { createExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { createApp } from "../../src/app";
import { costMicros } from "../../src/lib/model-catalogue";
import { api, apiJson, type ErrorJson } from "../helpers/api";
import { newUser, tokenFor } from "../helpers/auth";
import { createToolFor, followEvents, startExecution } from "../helpers/executions";
import { scriptModel, streamOf, upstreamRequests } from "../helpers/upstream";

const PRICES = { inputUsdPerMTok: 2.5, outputUsdPerMTok: 10 };

interface CostRecord {
  costMicros: number | null;
  results: { name: string; costMicros: number | null; usage: { inputTokens: number; outputTokens: number } | null }[];
}

describe("GET /api/models", () => {
  it("lists the catalogue with prices and demo at 0, and never an endpoint or a key", async () => {
    const response = await api("/api/models", { user: newUser() });
    const text = await response.text();
    expect(response.status).toBe(200);
    expect(JSON.parse(text)).toEqual({
      models: [
        { name: "demo", inputUsdPerMTok: 0, outputUsdPerMTok: 0, contextTokens: null, reasoning: false },
        { name: "priced-echo", ...PRICES, contextTokens: 128000, reasoning: false },
        ...[1, 2, 3, 4, 5].map((n) => ({ name: `priced-${n}`, ...PRICES, contextTokens: null, reasoning: false })),
      ],
      allowUnlisted: true,
    });
    for (const secret of [env.CATALOGUE_TEST_KEY, env.OPENAI_API_KEY, "apiKey", "baseUrl", "-upstream"]) {
      expect(text).not.toContain(secret);
    }
  });

  it("needs a Bearer token", async () => {
    expect((await api("/api/models")).status).toBe(401);
  });
});

describe("cost", () => {
  it("is usage × the model's prices per prompt, summed per execution; an unpriced model costs nothing", async () => {
    const user = newUser();
    const unpriced = await scriptModel(streamOf("free answer"));
    const tool = await createToolFor(user, {
      name: "Priced",
      inputFields: [],
      prompts: [
        { name: "first", position: 0, model: "priced-echo", content: "Say something worth pricing" },
        { name: "second", position: 1, model: "priced-echo", content: "Then {{first}}" },
        { name: "third", position: 2, model: unpriced, content: "Last" },
      ],
    });
    const execution = await startExecution(user, tool.id, {});
    const events = await followEvents(user, execution.id);
    const { body: record } = await apiJson<CostRecord>(`/api/executions/${execution.id}`, { user });
    const [first, second, third] = record.results;
    for (const result of [first, second]) {
      expect(result?.usage).not.toBeNull();
      expect(result?.costMicros).toBe(costMicros(PRICES, result?.usage ?? { inputTokens: 0, outputTokens: 0 }));
      expect(result?.costMicros).toBeGreaterThan(0);
    }
    expect(third?.costMicros).toBeNull();
    const total = (first?.costMicros ?? 0) + (second?.costMicros ?? 0);
    expect(record.costMicros).toBe(total);
    const completed = events.filter((item) => item.type === "prompt.completed").map((item) => item.data.costMicros);
    expect(completed).toEqual([first?.costMicros, second?.costMicros, null]);
    expect(events.at(-1)).toMatchObject({ type: "execution.completed", data: { costMicros: total } });
    const list = await apiJson<{ executions: { id: string; costMicros: number }[] }>("/api/executions", { user });
    expect(list.body.executions.find((item) => item.id === execution.id)?.costMicros).toBe(total);
    // The entry's upstream name and its own key went to the endpoint.
    const sent = await upstreamRequests("priced-echo-upstream");
    expect(sent.length).toBeGreaterThanOrEqual(2);
    expect(sent.every((request) => request.authorization === `Bearer ${env.CATALOGUE_TEST_KEY}`)).toBe(true);
  });
});

describe("ALLOW_UNLISTED_MODELS=false", () => {
  const strict = { ...env, ALLOW_UNLISTED_MODELS: "false" };
  const send = async (path: string, body: unknown) =>
    createApp().fetch(
      new Request(`http://localhost${path}`, {
        method: "POST",
        headers: { Authorization: `Bearer ${await tokenFor(newUser())}`, "Content-Type": "application/json" },
        body: JSON.stringify(body),
      }),
      strict,
      createExecutionContext(),
    );

  it("refuses a tool whose prompt names a model outside the catalogue, naming the prompt and model", async () => {
    const refused = await send("/api/tools", {
      name: "Strict",
      prompts: [
        { name: "ok", position: 0, model: "priced-echo", content: "fine" },
        { name: "stray", position: 1, model: "gpt-unknown", content: "no" },
      ],
    });
    expect(refused.status).toBe(400);
    const body = (await refused.json()) as ErrorJson;
    expect(body.error.details?.fields).toEqual([
      {
        path: "prompts.1.model",
        message: 'prompt "stray" uses the model "gpt-unknown", which is not in the catalogue',
      },
    ]);
    const accepted = await send("/api/tools", {
      name: "Strict",
      prompts: [{ name: "ok", position: 0, model: "demo", content: "fine" }],
    });
    expect(accepted.status).toBe(201);
  });
});

describe("a bad MODELS", () => {
  it("answers every request with a 500 that names the bad entry, and no key", async () => {
    const broken = {
      ...env,
      MODELS: '[{"name": "gpt-4o", "apiKeyVar": "CATALOGUE_TEST_KEY", "inputUsdPerMTok": 2.5}]',
    };
    const response = await createApp().fetch(new Request("http://localhost/health"), broken, createExecutionContext());
    expect(response.status).toBe(500);
    const text = await response.text();
    expect(JSON.parse(text)).toMatchObject({
      error: {
        code: "internal",
        message: expect.stringMatching(/^The service is misconfigured: MODELS entry 1 \("gpt-4o"\): outputUsdPerMTok/),
      },
    });
    expect(text).not.toContain(env.CATALOGUE_TEST_KEY);
  });
});
