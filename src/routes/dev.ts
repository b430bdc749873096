// GET /dev/token?user=…: signs a short-lived access token, for the local page's sign-in. Answers 404
// unless DEV_TOKENS is "true", which only .dev.vars sets.
import { Hono } from "hono";
import { sign } from "hono/utils/jwt/jwt";
import type { AppEnv } from "../app-env";
import { AppError } from "../lib/errors";
import { validate } from "../middleware/validator";
import { devTokenQuery } from "../schemas/api";

const DEV_TOKEN_TTL_SECONDS = 12 * 60 * 60;

export const devRoutes = new Hono<AppEnv>().get("/token", validate("query", devTokenQuery), async (c) => {
  if (!c.var.config.devTokens || !c.var.config.jwtSecret)
    throw new AppError("not_found", `No route for GET ${c.req.path}`);
  const now = Math.floor(Date.now() / 1000);
  const token = await sign(
    { sub: c.req.valid("query").user, iat: now, exp: now + DEV_TOKEN_TTL_SECONDS },
    c.var.config.jwtSecret,
    "HS256",
  );
  return c.json({ token, expiresIn: DEV_TOKEN_TTL_SECONDS });
});
