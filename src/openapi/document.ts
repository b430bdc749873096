// Builds the OpenAPI 3.1 document from the route catalogue, converting each zod schema with zod's
// own JSON Schema output (draft 2020-12, which OpenAPI 3.1 uses).
import { type ZodType, z } from "zod";
import { errorBodySchema } from "../lib/errors";
import { ROUTES, type RouteDoc } from "./catalogue";

type JsonSchema = { properties?: Record<string, JsonSchema>; required?: string[]; [key: string]: unknown };

const jsonSchema = (schema: ZodType): JsonSchema =>
  z.toJSONSchema(schema, { io: "input", unrepresentable: "any" }) as JsonSchema;

/** `/api/tools/:id` → `/api/tools/{id}` */
export const openApiPath = (path: string) => path.replace(/:([A-Za-z_]+)/g, "{$1}");

function parameters(route: RouteDoc) {
  const list: object[] = [];
  for (const [where, schema] of [
    ["path", route.params],
    ["query", route.query],
  ] as const) {
    if (!schema) continue;
    const object = jsonSchema(schema);
    for (const [name, property] of Object.entries(object.properties ?? {})) {
      list.push({
        name,
        in: where,
        required: where === "path" || (object.required ?? []).includes(name),
        schema: property,
      });
    }
  }
  for (const [name, description] of Object.entries(route.headers ?? {}))
    list.push({ name, in: "header", required: false, description, schema: { type: "string" } });
  return list;
}

function operation(route: RouteDoc) {
  const responses: Record<string, { description: string; content?: object }> = Object.fromEntries(
    Object.entries(route.responses).map(([status, description]) => {
      const code = Number(status);
      if (code >= 400)
        return [
          status,
          { description, content: { "application/json": { schema: { $ref: "#/components/schemas/Error" } } } },
        ];
      if (route.stream && code === 200)
        return [status, { description, content: { "text/event-stream": { schema: { type: "string" } } } }];
      return [status, { description }];
    }),
  );
  if (route.auth !== "none") {
    responses["401"] = {
      description: "Missing or invalid token, or a session that ended",
      content: { "application/json": { schema: { $ref: "#/components/schemas/Error" } } },
    };
    if (route.method !== "get")
      responses["403"] = {
        description: "Signed in by cookie without an allowed Origin",
        content: { "application/json": { schema: { $ref: "#/components/schemas/Error" } } },
      };
  }
  const security =
    route.auth === "none"
      ? []
      : route.auth === "bearer" || route.auth === "admin"
        ? [{ bearer: [] }, { session: [] }]
        : [{ bearer: [] }, { session: [] }, { streamToken: [] }];
  return {
    tags: [route.tag],
    summary: route.summary,
    ...(route.description ? { description: route.description } : {}),
    security,
    parameters: parameters(route),
    ...(route.body
      ? { requestBody: { required: true, content: { "application/json": { schema: jsonSchema(route.body) } } } }
      : {}),
    responses,
  };
}

/** The whole document. */
export function buildOpenApiDocument(routes: readonly RouteDoc[] = ROUTES) {
  const paths: Record<string, Record<string, object>> = {};
  for (const route of routes) {
    const path = openApiPath(route.path);
    paths[path] = { ...paths[path], [route.method]: operation(route) };
  }
  return {
    openapi: "3.1.0",
    info: {
      title: "Assistant Architect Stream",
      version: "1.0.0",
      description:
        "Runs multi-step AI prompt chains and streams every token over resumable Server-Sent Events. Errors are always {error: {code, message, details?}}.",
    },
    paths,
    components: {
      schemas: { Error: jsonSchema(errorBodySchema) },
      securitySchemes: {
        bearer: { type: "http", scheme: "bearer", bearerFormat: "JWT" },
        session: {
          type: "apiKey",
          in: "cookie",
          name: "aas_session",
          description:
            "Set by GET /auth/callback after sign-in. POST, PUT, PATCH and DELETE with it need an Origin that is the service's own or in CORS_ORIGINS.",
        },
        streamToken: {
          type: "apiKey",
          in: "query",
          name: "token",
          description: "The streamToken returned when the execution was created; read-only, that execution only.",
        },
      },
    },
  };
}
