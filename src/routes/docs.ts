// GET /openapi.json and GET /docs: the API description and a readable page of it (public, no CDN).
import { Hono } from "hono";
import { html, raw } from "hono/html";
import type { AppEnv } from "../app-env";
import { ROUTES } from "../openapi/catalogue";
import { buildOpenApiDocument, openApiPath } from "../openapi/document";

let cached: ReturnType<typeof buildOpenApiDocument> | undefined;
const openApi = () => (cached ??= buildOpenApiDocument());

export const docsRoutes = new Hono<AppEnv>()
  .get("/openapi.json", (c) => c.json(openApi()))
  .get("/docs", (c) => {
    const document = openApi();
    const sections = ROUTES.map((route) => {
      const operation = document.paths[openApiPath(route.path)]?.[route.method] as {
        parameters: { name: string; in: string; required: boolean }[];
        requestBody?: { content: { "application/json": { schema: unknown } } };
      };
      const params = operation.parameters
        .map((parameter) => `${parameter.name} (${parameter.in}${parameter.required ? ", required" : ""})`)
        .join(", ");
      const body = operation.requestBody
        ? JSON.stringify(operation.requestBody.content["application/json"].schema, null, 2)
        : "";
      return html`<section>
        <h2><code>${route.method.toUpperCase()} ${route.path}</code></h2>
        <p>${route.summary}${route.description ? html`<br />${route.description}` : ""}</p>
        <p><strong>Auth:</strong> ${route.auth}${params ? html` · <strong>Parameters:</strong> ${params}` : ""}</p>
        ${body ? html`<details><summary>Request body schema</summary><pre>${body}</pre></details>` : ""}
        <ul>${Object.entries(route.responses).map(([status, text]) => html`<li><code>${status}</code> ${text}</li>`)}</ul>
      </section>`;
    });
    return c.html(html`<!doctype html>
      <html lang="en">
        <head>
          <meta charset="utf-8" />
          <meta name="viewport" content="width=device-width, initial-scale=1" />
          <title>Assistant Architect Stream API</title>
          <style>
            body { font-family: system-ui, sans-serif; max-width: 900px; margin: 0 auto; padding: 16px; line-height: 1.5; }
            section { border-top: 1px solid #ddd; padding: 8px 0; } pre { background: #f4f4f4; padding: 8px; overflow: auto; }
          </style>
        </head>
        <body>
          <h1>Assistant Architect Stream API</h1>
          <p>${raw(document.info.description)} Machine-readable: <a href="/openapi.json">/openapi.json</a>.</p>
          ${sections}
        </body>
      </html>`);
  });
