// Every HTTP route, described once, with the same zod schemas its validator uses. The OpenAPI
// document is generated from this list; a test fails when the app has a route that is not in it.
import type { ZodType } from "zod";
import {
  createExecutionBody,
  devTokenQuery,
  eventsQuery,
  executionListQuery,
  idParam,
  loginQuery,
  rerunBody,
  streamBody,
  toolListQuery,
} from "../schemas/api";
import { toolBodySchema } from "../schemas/tool";

/** "bearer" routes also take the `aas_session` cookie (unsafe methods then need an allowed Origin). */
export type Auth = "none" | "bearer" | "bearer-or-stream-token";

export interface RouteDoc {
  method: "get" | "post" | "put" | "delete";
  /** Hono style: /api/tools/:id */
  path: string;
  tag: string;
  summary: string;
  description?: string;
  auth: Auth;
  params?: ZodType;
  query?: ZodType;
  body?: ZodType;
  /** Status → description. Error statuses answer the error body of docs/errors.md. */
  responses: Record<number, string>;
  /** The success answer is a Server-Sent Events stream. */
  stream?: boolean;
  headers?: Record<string, string>;
}

const idempotency = { "Idempotency-Key": "Optional. A retried POST with the same key returns the same execution." };

export const ROUTES: RouteDoc[] = [
  {
    method: "get",
    path: "/health",
    tag: "Service",
    summary: "Liveness; touches D1",
    auth: "none",
    responses: { 200: "Service is up" },
  },
  {
    method: "get",
    path: "/openapi.json",
    tag: "Service",
    summary: "This API description (OpenAPI 3.1)",
    auth: "none",
    responses: { 200: "The document" },
  },
  {
    method: "get",
    path: "/docs",
    tag: "Service",
    summary: "A readable reference of this API",
    auth: "none",
    responses: { 200: "HTML page" },
  },
  {
    method: "get",
    path: "/dev/token",
    tag: "Service",
    summary: "A development token (only when DEV_TOKENS is true)",
    auth: "none",
    query: devTokenQuery,
    responses: { 200: "`{token, expiresIn}`", 404: "Dev tokens are off" },
  },
  {
    method: "get",
    path: "/auth/config",
    tag: "Sign-in",
    summary: "Whether sign-in with an OpenID provider is configured: `{oidc}`",
    auth: "none",
    responses: { 200: "`{oidc: boolean}`" },
  },
  {
    method: "get",
    path: "/auth/login",
    tag: "Sign-in",
    summary: "Starts a sign-in: redirects the browser to the OpenID provider",
    description:
      "Authorization code with PKCE (S256), `state` and `nonce`; the transaction is kept in a short-lived encrypted cookie. `returnTo` must be a path on this service; anything else returns to `/`.",
    auth: "none",
    query: loginQuery,
    responses: { 302: "To the provider", 404: "Sign-in is not configured (OIDC_ISSUER, OIDC_CLIENT_ID)" },
  },
  {
    method: "get",
    path: "/auth/callback",
    tag: "Sign-in",
    summary: "Where the provider sends the browser back; sets the `aas_session` cookie",
    description:
      "Checks the state, exchanges the code, verifies the ID token (signature against the provider's JWKS, issuer, audience, nonce, expiry) and OIDC_ALLOWED_DOMAINS / OIDC_ALLOWED_TENANTS. A refusal is an HTML page that says why, with a link to sign in again, and sets no session.",
    auth: "none",
    responses: {
      302: "Signed in: to `returnTo`",
      400: "HTML page: wrong or expired state, or a refused code",
      401: "HTML page: the ID token was not accepted",
      403: "HTML page: an account outside the allowed domains or tenants",
    },
  },
  {
    method: "post",
    path: "/auth/logout",
    tag: "Sign-in",
    summary: "Signs out: clears the cookie and revokes its session (the same cookie is then refused)",
    auth: "none",
    responses: { 204: "Signed out", 403: "A session cookie without an allowed Origin" },
  },
  {
    method: "get",
    path: "/auth/me",
    tag: "Sign-in",
    summary: "The signed-in user: `{userId, email?, name?, isAdmin}`",
    auth: "bearer",
    responses: { 200: "`{userId, email?, name?, isAdmin}`" },
  },
  {
    method: "post",
    path: "/api/tools",
    tag: "Tools",
    summary: "Create a tool",
    auth: "bearer",
    body: toolBodySchema,
    responses: { 201: "The tool", 400: "Invalid tool (each problem named)", 413: "Body too large" },
  },
  {
    method: "get",
    path: "/api/tools",
    tag: "Tools",
    summary: "The caller's tools and shared ones, newest first",
    auth: "bearer",
    query: toolListQuery,
    responses: { 200: "`{tools: [...]}`" },
  },
  {
    method: "get",
    path: "/api/tools/:id",
    tag: "Tools",
    summary: "Read a tool (own or shared)",
    auth: "bearer",
    params: idParam,
    responses: { 200: "The tool", 404: "No such tool for this user" },
  },
  {
    method: "put",
    path: "/api/tools/:id",
    tag: "Tools",
    summary: "Replace a tool (owner only)",
    auth: "bearer",
    params: idParam,
    body: toolBodySchema,
    responses: { 200: "The tool", 400: "Invalid tool", 404: "No such tool for this user" },
  },
  {
    method: "delete",
    path: "/api/tools/:id",
    tag: "Tools",
    summary: "Delete a tool (owner only; executions keep their records)",
    auth: "bearer",
    params: idParam,
    responses: { 204: "Deleted", 404: "No such tool for this user" },
  },
  {
    method: "post",
    path: "/api/executions",
    tag: "Executions",
    summary: "Create (and start) an execution",
    auth: "bearer",
    body: createExecutionBody,
    headers: idempotency,
    responses: {
      200: "Replayed by Idempotency-Key: `{id, status, eventsUrl, streamToken}`",
      201: "`{id, status, eventsUrl, streamToken}`",
      400: "Invalid inputs (each field named), or a budget with a model that has no price",
      404: "No such tool",
      409: "Idempotency-Key reused for another request",
      429: "rate_limited, too_many_executions or budget_exhausted (the daily budget), with Retry-After",
    },
  },
  {
    method: "get",
    path: "/api/executions",
    tag: "Executions",
    summary: "The caller's executions, newest first",
    auth: "bearer",
    query: executionListQuery,
    responses: { 200: "`{executions: [...], nextCursor}`" },
  },
  {
    method: "get",
    path: "/api/executions/:id",
    tag: "Executions",
    summary: "An execution's record with one result per prompt",
    auth: "bearer",
    params: idParam,
    responses: { 200: "The record", 404: "No such execution for this user" },
  },
  {
    method: "get",
    path: "/api/executions/:id/events",
    tag: "Executions",
    summary: "Follow an execution's events (SSE); replays after Last-Event-ID",
    description:
      "Send `Last-Event-ID` (or `?lastEventId=`) to resume. `?token=` takes the execution's stream token instead of a Bearer header.",
    auth: "bearer-or-stream-token",
    params: idParam,
    query: eventsQuery,
    headers: { "Last-Event-ID": "Optional. Resume after this event id." },
    stream: true,
    responses: {
      200: "text/event-stream of execution events",
      204: "Finished, and nothing after Last-Event-ID",
      404: "No such execution for this user",
      409: "The execution is pending (not started)",
    },
  },
  {
    method: "post",
    path: "/api/executions/:id/cancel",
    tag: "Executions",
    summary: "Cancel: stops the model calls within a second; idempotent",
    auth: "bearer",
    params: idParam,
    responses: { 200: "`{id, status}`", 404: "No such execution for this user" },
  },
  {
    method: "post",
    path: "/api/executions/:id/rerun",
    tag: "Executions",
    summary: "Rerun an ended execution from a step",
    description:
      "Runs the source's plan (its prompts as they ran) with `inputs` merged over the source's and per-prompt overrides. A prompt before `fromPromptId`'s position whose request is unchanged is reused (no model call). `fromPromptId` defaults to the first prompt that did not complete.",
    auth: "bearer",
    params: idParam,
    body: rerunBody,
    headers: idempotency,
    responses: {
      200: "Replayed by Idempotency-Key: `{id, status, eventsUrl, streamToken}`",
      201: "`{id, status, eventsUrl, streamToken}`",
      400: "Invalid inputs, override or fromPromptId (each named), or a budget with a model that has no price",
      404: "No such execution for this user",
      409: "The source has not ended, ran before plans were recorded, or the Idempotency-Key was used for another request",
      429: "rate_limited, too_many_executions or budget_exhausted (the daily budget), with Retry-After",
    },
  },
  {
    method: "get",
    path: "/api/models",
    tag: "Models",
    summary: "The model catalogue: names and prices (USD per million tokens), never endpoints or keys",
    auth: "bearer",
    responses: { 200: "`{models: [{name, inputUsdPerMTok, outputUsdPerMTok, contextTokens}], allowUnlisted}`" },
  },
  {
    method: "post",
    path: "/api/assistant-architect/stream",
    tag: "Original endpoint",
    summary: "Run a tool and stream the original frames (kept for existing clients)",
    description:
      'Unnamed events `data: {"type": ...}`: metadata, prompt_start, token, prompt_complete, prompt_error, then complete or error. Header `X-Execution-Id`.',
    auth: "bearer",
    body: streamBody,
    headers: { ...idempotency, "Last-Event-ID": "Optional, with executionId: resume after this id." },
    stream: true,
    responses: {
      200: "text/event-stream in the original frame format",
      400: "Invalid body or inputs, or inputs that differ from the pending execution's",
      404: "No such tool or execution",
      409: "The pending execution expired, or its tool's prompts changed",
      429: "Rate, concurrency or daily budget limit",
    },
  },
];
