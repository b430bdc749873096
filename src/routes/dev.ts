// GET /dev/token?user=…: signs a short-lived access token, for the local page's sign-in. Answers 404
// unless DEV_TOKENS is "true", which only .dev.vars sets.
import { Hono } from "hono";
import { SignJWT } from "jose";
import type { AppEnv } from "../app-env";
import { noRoute } from "../lib/errors";
import { accessTokenKey } from "../lib/keys";
import { validate } from "../middleware/validator";
import { devTokenQuery } from "../schemas/api";

const DEV_TOKEN_TTL_SECONDS = 12 * 60 * 60;

export const devRoutes = new Hono<AppEnv>().get("/token", validate("query", devTokenQuery), async (c) => {
  if (!c.var.config.devTokens || !c.var.config.jwtSecret) throw noRoute("GET", c.req.path);
  const now = Math.floor(Date.now() / 1000);
  const token = await new SignJWT()
    .setProtectedHeader({ alg: "HS256" })
    .setSubject(c.req.valid("query").user)
    .setIssuedAt(now)
    .setExpirationTime(now + DEV_TOKEN_TTL_SECONDS)
    .sign(accessTokenKey(c.var.config.jwtSecret));
  return c.json({ token, expiresIn: DEV_TOKEN_TTL_SECONDS });
});
