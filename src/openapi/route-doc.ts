// How one HTTP route is described for the API reference (the catalogue lists them all).
import type { ZodType } from "zod";

/**
 * "bearer" routes also take the `aas_session` cookie (unsafe methods then need an allowed Origin);
 * "admin" ones the same, from an administrator (ADMINS) only.
 */
export type Auth = "none" | "bearer" | "admin" | "bearer-or-stream-token";

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
