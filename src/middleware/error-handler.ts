// The one place errors become HTTP responses (docs/errors.md); nothing internal leaks.
import type { Context, ErrorHandler, NotFoundHandler } from "hono";
import { HTTPException } from "hono/http-exception";
import type { AppEnv } from "../app-env";
import { AppError, codeForStatus, noRoute } from "../lib/errors";
import { describeError, log } from "../lib/log";
import { ConfigError } from "../lib/model-catalogue";

function respond(c: Context<AppEnv>, error: AppError): Response {
  if (error.code === "unauthorized") c.header("WWW-Authenticate", 'Bearer realm="api"');
  if (error.retryAfter !== undefined) c.header("Retry-After", String(Math.max(1, Math.ceil(error.retryAfter))));
  return c.json(error.toBody(), error.code === "internal" ? 500 : error.status);
}

/** Maps AppError to its code; other HTTP exceptions to the closest code; anything else to a logged 500. */
export const handleError: ErrorHandler<AppEnv> = (error, c) => {
  const requestId = c.get("requestId");
  if (error instanceof AppError) {
    if (error.code === "internal")
      log("error", "internal error", { requestId, error: describeError(error.cause ?? error) });
    return respond(c, error);
  }
  if (error instanceof ConfigError) {
    // The operator's mistake, named (the entry and the field; never a key): fixing it is the only way on.
    log("error", "configuration error", { requestId, error: error.message });
    return respond(c, new AppError("internal", `The service is misconfigured: ${error.message}`));
  }
  if (error instanceof HTTPException && error.status < 500) {
    return respond(c, new AppError(codeForStatus(error.status), error.message || "Bad request"));
  }
  log("error", "unhandled error", { requestId, path: c.req.path, error: describeError(error) });
  return respond(c, new AppError("internal", `Internal error (request ${requestId ?? "unknown"})`));
};

/** Unknown routes answer the same JSON shape as every other error. */
export const handleNotFound: NotFoundHandler<AppEnv> = (c) => respond(c, noRoute(c.req.method, c.req.path));
