import { describe, expect, it } from "vitest";
import { api, apiJson, type ErrorJson } from "../helpers/api";
import { newUser } from "../helpers/auth";
import { lessonPlanner } from "../helpers/tools";

describe("error responses (docs/errors.md)", () => {
  it("answers unknown routes with 404 not_found JSON", async () => {
    const { status, body } = await apiJson<ErrorJson>("/nope", {});
    expect(status).toBe(404);
    expect(body.error.code).toBe("not_found");
  });

  it("answers malformed JSON with 400 validation_failed", async () => {
    const { status, body } = await apiJson<ErrorJson>("/api/tools", { user: newUser(), rawBody: "{not json" });
    expect(status).toBe(400);
    expect(body.error.code).toBe("validation_failed");
  });

  it("answers a wrong content type with a 4xx, not a 500", async () => {
    const { status } = await apiJson<ErrorJson>("/api/tools", {
      user: newUser(),
      rawBody: "name=x",
      headers: { "Content-Type": "text/plain" },
    });
    expect(status).toBeGreaterThanOrEqual(400);
    expect(status).toBeLessThan(500);
  });

  it("names each bad field of an invalid body", async () => {
    const { status, body } = await apiJson<ErrorJson>("/api/tools", {
      user: newUser(),
      body: { name: "", prompts: [{ name: "p" }] },
    });
    expect(status).toBe(400);
    const paths = body.error.details?.fields?.map((field) => field.path) ?? [];
    expect(paths).toEqual(
      expect.arrayContaining(["name", "prompts.0.position", "prompts.0.model", "prompts.0.content"]),
    );
  });

  it("answers an oversize body with 413 payload_too_large", async () => {
    const big = lessonPlanner("m", { description: "x".repeat(300_000) });
    const { status, body } = await apiJson<ErrorJson>("/api/tools", { user: newUser(), body: big });
    expect(status).toBe(413);
    expect(body.error.code).toBe("payload_too_large");
  });

  it("never includes a stack trace or SQL in an error", async () => {
    const { body } = await apiJson<ErrorJson>("/api/tools", { user: newUser(), rawBody: "[1,2" });
    const text = JSON.stringify(body);
    expect(text).not.toMatch(/at \w+ \(|\.ts:\d+|SELECT|INSERT|sqlite/i);
  });

  it("sends a request id with every response", async () => {
    const response = await api("/health");
    expect(response.headers.get("X-Request-Id")).toMatch(/.+/);
  });
});

describe("CORS", () => {
  it("allows a configured origin and exposes X-Execution-Id", async () => {
    const response = await api("/api/tools", {
      method: "OPTIONS",
      headers: {
        Origin: "https://app.example.edu",
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "authorization",
      },
    });
    expect(response.status).toBe(204);
    expect(response.headers.get("Access-Control-Allow-Origin")).toBe("https://app.example.edu");
    const get = await api("/health", { headers: { Origin: "https://app.example.edu" } });
    expect(get.headers.get("Access-Control-Expose-Headers")).toContain("X-Execution-Id");
  });

  it("does not allow other origins", async () => {
    const response = await api("/health", { headers: { Origin: "https://evil.example" } });
    expect(response.headers.get("Access-Control-Allow-Origin")).toBeNull();
  });
});
