// Rejects request bodies over MAX_BODY_BYTES with 413 payload_too_large.
import { bodyLimit } from "hono/body-limit";
import { createMiddleware } from "hono/factory";
import type { AppEnv } from "../app-env";
import { AppError } from "../lib/errors";

/**
 * Applies Hono's body limit with the size from config, checked per request.
 * @example app.use("/api/*", limitBody())
 */
export const limitBody = () =>
  createMiddleware<AppEnv>(async function limitBody(c, next) {
    const maxSize = c.var.config.maxBodyBytes;
    const limiter = bodyLimit({
      maxSize,
      onError: () => {
        throw new AppError("payload_too_large", `Request body is larger than ${maxSize} bytes`);
      },
    });
    await limiter(c, next);
  });
