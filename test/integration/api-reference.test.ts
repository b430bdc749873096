import { describe, expect, it } from "vitest";
import { createApp } from "../../src/app";
import { openApiPath } from "../../src/openapi/document";
import { api } from "../helpers/api";

interface OpenApi {
  openapi: string;
  paths: Record<
    string,
    Record<
      string,
      {
        parameters: { name: string; in: string; required: boolean }[];
        requestBody?: {
          content: { "application/json": { schema: { properties?: Record<string, unknown>; required?: string[] } } };
        };
      }
    >
  >;
}

const openApi = async () => (await (await api("/openapi.json")).json()) as OpenApi;

describe("the API reference", () => {
  it("documents every route the app serves (add a route, and this fails until it is described)", async () => {
    const document = await openApi();
    const served = createApp()
      .routes.filter((route) => ["GET", "POST", "PUT", "DELETE"].includes(route.method) && !route.path.includes("*"))
      .map((route) => `${route.method.toLowerCase()} ${openApiPath(route.path.replace(/\/$/, "") || "/")}`);
    const documented = Object.entries(document.paths).flatMap(([path, methods]) =>
      Object.keys(methods).map((method) => `${method} ${path}`),
    );
    expect(served.length).toBeGreaterThan(10);
    expect(new Set(served)).toEqual(new Set(documented));
  });

  it("is OpenAPI 3.1 generated from the validators' zod schemas", async () => {
    const document = await openApi();
    expect(document.openapi).toBe("3.1.0");
    const createTool = document.paths["/api/tools"]?.post?.requestBody?.content["application/json"].schema;
    expect(createTool?.required).toEqual(expect.arrayContaining(["name", "prompts"]));
    expect(Object.keys(createTool?.properties ?? {})).toEqual(
      expect.arrayContaining(["inputFields", "prompts", "onPromptError", "visibility"]),
    );
    const events = document.paths["/api/executions/{id}/events"]?.get?.parameters.map(
      (parameter) => `${parameter.in}:${parameter.name}`,
    );
    expect(events).toEqual(
      expect.arrayContaining(["path:id", "query:lastEventId", "query:token", "header:Last-Event-ID"]),
    );
  });

  it("serves a readable page at /docs without a token", async () => {
    const response = await api("/docs");
    expect(response.status).toBe(200);
    const page = await response.text();
    expect(page).toContain("POST /api/assistant-architect/stream");
    expect(page).toContain("GET /api/executions/:id/events");
  });
});
