// The service's error values: a closed set of codes (docs/errors.md), each with its HTTP status.
import { HTTPException } from "hono/http-exception";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { z } from "zod";

/** One invalid field: a dotted path into the request part and what is wrong with it (`details.fields`). */
export interface FieldIssue {
  path: string;
  message: string;
}

/** Every error code the API can answer with, and its HTTP status. */
export const ERROR_STATUS = {
  validation_failed: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  payload_too_large: 413,
  rate_limited: 429,
  too_many_executions: 429,
  budget_exhausted: 429,
  internal: 500,
} as const satisfies Record<string, ContentfulStatusCode>;

export type ErrorCode = keyof typeof ERROR_STATUS;

/** The JSON body of every error response (also what the API reference documents). */
export const errorBodySchema = z.object({
  error: z.object({
    code: z.enum(Object.keys(ERROR_STATUS) as [ErrorCode, ...ErrorCode[]]),
    message: z.string(),
    details: z.unknown().optional(),
  }),
});

export type ErrorBody = z.infer<typeof errorBodySchema>;

export interface AppErrorOptions {
  details?: unknown;
  /** Seconds, sent as `Retry-After` (429s). */
  retryAfter?: number;
  cause?: unknown;
}

/** An error the API answers with its code's status and the body of docs/errors.md. */
export class AppError extends HTTPException {
  readonly code: ErrorCode;
  readonly details: unknown;
  readonly retryAfter: number | undefined;

  constructor(code: ErrorCode, message: string, options: AppErrorOptions = {}) {
    super(ERROR_STATUS[code], { message, cause: options.cause });
    this.name = "AppError";
    this.code = code;
    this.details = options.details;
    this.retryAfter = options.retryAfter;
  }

  toBody(): ErrorBody {
    const error: ErrorBody["error"] = { code: this.code, message: this.message };
    if (this.details !== undefined) error.details = this.details;
    return { error };
  }
}

/** A 404 that reads the same whether the thing is missing or someone else's. */
export const notFound = (what: string): AppError => new AppError("not_found", `${what} not found`);

/** The answer for a path nothing serves; the admin guard gives the same, so admin routes do not show. */
export const noRoute = (method: string, path: string): AppError =>
  new AppError("not_found", `No route for ${method} ${path}`);

/** Maps a status that some library raised (e.g. Hono's JSON parser) to our closest code. */
export function codeForStatus(status: number): ErrorCode {
  switch (status) {
    case 400:
      return "validation_failed";
    case 401:
      return "unauthorized";
    case 403:
      return "forbidden";
    case 404:
      return "not_found";
    case 409:
      return "conflict";
    case 413:
      return "payload_too_large";
    case 429:
      return "rate_limited";
    default:
      return status >= 400 && status < 500 ? "validation_failed" : "internal";
  }
}
