// MODELS: parsed once with the config; a bad entry is an error naming it; prices make micro-dollars.
import { describe, expect, it } from "vitest";
import { ConfigError, costMicros, DEMO_MODEL, parseCatalogue } from "../../src/lib/model-catalogue";

const parse = (raw: string | undefined, secrets: Record<string, string> = {}) =>
  parseCatalogue({
    raw,
    allowUnlisted: true,
    defaultBaseUrl: "https://api.example/v1",
    secret: (name) => secrets[name],
  });

const failure = (raw: string, secrets: Record<string, string> = {}) => {
  try {
    parse(raw, secrets);
    return "parsed";
  } catch (error) {
    return error instanceof ConfigError ? error.message : `unexpected: ${String(error)}`;
  }
};

describe("parseCatalogue", () => {
  it("has demo at price 0 even when MODELS is unset, and fills each entry's defaults", () => {
    expect([...parse(undefined).entries.keys()]).toEqual([DEMO_MODEL]);
    const catalogue = parse('[{"name": "gpt-4o-mini", "inputUsdPerMTok": 0.15, "outputUsdPerMTok": 0.6}]', {
      OPENAI_API_KEY: "sk-default",
    });
    expect(catalogue.entries.get("gpt-4o-mini")).toEqual({
      name: "gpt-4o-mini",
      upstreamModel: "gpt-4o-mini",
      baseUrl: "https://api.example/v1",
      apiKey: "sk-default",
      inputUsdPerMTok: 0.15,
      outputUsdPerMTok: 0.6,
      contextTokens: null,
      outputLimitParam: "max_completion_tokens",
      reasoning: false,
    });
    expect(catalogue.entries.get(DEMO_MODEL)).toMatchObject({ inputUsdPerMTok: 0, outputUsdPerMTok: 0 });
  });

  it("reads each entry's own endpoint, upstream name and key", () => {
    const entry = parse(
      '[{"name": "llama", "upstreamModel": "@cf/meta/llama-3.1-8b-instruct", "baseUrl": "https://gateway.example/v1", "apiKeyVar": "WORKERS_AI_KEY", "inputUsdPerMTok": 0.28, "outputUsdPerMTok": 0.83, "contextTokens": 8000, "outputLimitParam": "max_tokens", "reasoning": true}]',
      { WORKERS_AI_KEY: "wk" },
    ).entries.get("llama");
    expect(entry).toMatchObject({
      upstreamModel: "@cf/meta/llama-3.1-8b-instruct",
      baseUrl: "https://gateway.example/v1",
      apiKey: "wk",
      contextTokens: 8000,
      outputLimitParam: "max_tokens",
      reasoning: true,
    });
  });

  it("names the bad entry and what is wrong with it", () => {
    expect(failure("not json")).toBe("MODELS is not valid JSON: it must be a JSON array of model entries");
    expect(failure('{"name": "x"}')).toBe("MODELS must be a JSON array of model entries");
    expect(
      failure('[{"name": "ok", "inputUsdPerMTok": 1, "outputUsdPerMTok": 1}, {"name": "cheap", "inputUsdPerMTok": 1}]'),
    ).toMatch(/^MODELS entry 2 \("cheap"\): outputUsdPerMTok: /);
    expect(failure('[{"name": "neg", "inputUsdPerMTok": -1, "outputUsdPerMTok": 1}]')).toMatch(
      /^MODELS entry 1 \("neg"\): inputUsdPerMTok/,
    );
    expect(failure('[{"name": "x", "inputUsdPerMTok": 1, "outputUsdPerMTok": 1, "price": 3}]')).toMatch(
      /^MODELS entry 1 \("x"\)/,
    );
    expect(
      failure(
        '[{"name": "twice", "inputUsdPerMTok": 1, "outputUsdPerMTok": 1}, {"name": "twice", "inputUsdPerMTok": 1, "outputUsdPerMTok": 1}]',
      ),
    ).toBe('MODELS entry 2 ("twice"): the name "twice" is listed twice');
    expect(failure('[{"name": "demo", "inputUsdPerMTok": 1, "outputUsdPerMTok": 1}]')).toBe(
      'MODELS entry 1 ("demo"): the name "demo" is built in',
    );
    expect(failure('[{"name": "k", "apiKeyVar": "MISSING_KEY", "inputUsdPerMTok": 1, "outputUsdPerMTok": 1}]')).toBe(
      'MODELS entry 1 ("k"): apiKeyVar names MISSING_KEY, which is not set (wrangler secret put MISSING_KEY)',
    );
    expect(failure('[{"name": "u", "baseUrl": "ftp://x", "inputUsdPerMTok": 1, "outputUsdPerMTok": 1}]')).toMatch(
      /^MODELS entry 1 \("u"\): baseUrl/,
    );
  });
});

describe("costMicros", () => {
  it("is usage × USD per million tokens, in micro-dollars, rounded up past float noise", () => {
    expect(
      costMicros({ inputUsdPerMTok: 0.15, outputUsdPerMTok: 0.6 }, { inputTokens: 1000, outputTokens: 1000 }),
    ).toBe(750);
    expect(costMicros({ inputUsdPerMTok: 2.5, outputUsdPerMTok: 10 }, { inputTokens: 3, outputTokens: 1 })).toBe(18);
    expect(costMicros({ inputUsdPerMTok: 0.1, outputUsdPerMTok: 0 }, { inputTokens: 1, outputTokens: 0 })).toBe(1);
    expect(costMicros({ inputUsdPerMTok: 0, outputUsdPerMTok: 0 }, { inputTokens: 99, outputTokens: 99 })).toBe(0);
  });
});

describe("createModelResolver with ALLOW_UNLISTED_MODELS=false", () => {
  it("refuses a model outside the catalogue at run time as a model_error, without a request", async () => {
    const { env } = await import("cloudflare:workers");
    const { getConfig } = await import("../../src/lib/config");
    const { createModelResolver } = await import("../../src/models");
    const resolve = createModelResolver(getConfig({ ...env, ALLOW_UNLISTED_MODELS: "false" }));
    const stream = resolve("gpt-unknown").stream(
      { model: "gpt-unknown", prompt: "x", systemContext: null, temperature: null, maxTokens: null },
      new AbortController().signal,
    );
    await expect(stream[Symbol.asyncIterator]().next()).rejects.toMatchObject({ code: "model_error" });
  });
});
