import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { DEFAULTS, getConfig } from "../../src/lib/config";
import { AppError, codeForStatus, ERROR_STATUS } from "../../src/lib/errors";

describe("getConfig", () => {
  it("falls back to the documented defaults for missing, empty, zero, negative or non-integer vars", () => {
    const config = getConfig({
      ...env,
      MAX_EXECUTION_MS: "",
      PROMPT_IDLE_TIMEOUT_MS: "abc",
      MAX_CONCURRENT_EXECUTIONS: "0",
      MAX_BODY_BYTES: "-5",
      STREAM_MAX_CONNECTION_MS: "1.5",
      OPENAI_BASE_URL: "  ",
      JWKS_URL: "",
    } as Env);
    expect(config).toMatchObject({
      maxExecutionMs: DEFAULTS.maxExecutionMs,
      promptIdleTimeoutMs: DEFAULTS.promptIdleTimeoutMs,
      maxConcurrentExecutions: DEFAULTS.maxConcurrentExecutions,
      maxBodyBytes: DEFAULTS.maxBodyBytes,
      streamMaxConnectionMs: DEFAULTS.streamMaxConnectionMs,
      openaiBaseUrl: DEFAULTS.openaiBaseUrl,
      jwksUrl: undefined,
    });
  });

  it("reads set values and splits CORS_ORIGINS", () => {
    const config = getConfig({
      ...env,
      MAX_CONCURRENT_EXECUTIONS: "12",
      CORS_ORIGINS: " https://a.edu , ,https://b.edu",
      JWT_ISSUER: " https://idp ",
    } as Env);
    expect(config.maxConcurrentExecutions).toBe(12);
    expect(config.corsOrigins).toEqual(["https://a.edu", "https://b.edu"]);
    expect(config.jwtIssuer).toBe("https://idp");
  });

  it("parses once per env object", () => {
    const own = { ...env } as Env;
    expect(getConfig(own)).toBe(getConfig(own));
  });
});

describe("errors", () => {
  it("maps library statuses to the closest code", () => {
    expect([400, 401, 404, 409, 413, 429, 422, 500, 503].map(codeForStatus)).toEqual([
      "validation_failed",
      "unauthorized",
      "not_found",
      "conflict",
      "payload_too_large",
      "rate_limited",
      "validation_failed",
      "internal",
      "internal",
    ]);
  });

  it("gives every code its status and the documented body", () => {
    for (const [code, status] of Object.entries(ERROR_STATUS)) {
      const error = new AppError(code as keyof typeof ERROR_STATUS, "m", { details: { x: 1 } });
      expect(error.status).toBe(status);
      expect(error.toBody()).toEqual({ error: { code, message: "m", details: { x: 1 } } });
    }
    expect(new AppError("conflict", "m").toBody()).toEqual({ error: { code: "conflict", message: "m" } });
  });
});
