// Calls the Worker through its real fetch handler, as a client would.
import { exports } from "cloudflare:workers";
import { tokenFor } from "./auth";

export interface ApiOptions {
  method?: string;
  /** Signs a token for this user; omit for an anonymous request. */
  user?: string;
  body?: unknown;
  /** Sent as-is instead of JSON-encoding `body`. */
  rawBody?: string;
  headers?: Record<string, string>;
}

/** Sends one request to the Worker and returns the raw Response. */
export async function api(path: string, options: ApiOptions = {}): Promise<Response> {
  const headers = new Headers(options.headers);
  if (options.user && !headers.has("Authorization"))
    headers.set("Authorization", `Bearer ${await tokenFor(options.user)}`);
  let body: string | undefined = options.rawBody;
  if (body === undefined && options.body !== undefined) body = JSON.stringify(options.body);
  if (body !== undefined && !headers.has("Content-Type")) headers.set("Content-Type", "application/json");
  return exports.default.fetch(
    new Request(`http://localhost${path}`, {
      method: options.method ?? (body === undefined ? "GET" : "POST"),
      headers,
      body,
    }),
  );
}

/** The error body (docs/errors.md). */
export interface ErrorJson {
  error: { code: string; message: string; details?: { fields?: { path: string; message: string }[] } };
}

/** Sends a request and parses the JSON answer. */
export async function apiJson<T = unknown>(
  path: string,
  options: ApiOptions = {},
): Promise<{ status: number; body: T; headers: Headers }> {
  const response = await api(path, options);
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: (text ? JSON.parse(text) : null) as T };
}
