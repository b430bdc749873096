// Signs test tokens the way a real identity provider would.
import { env } from "cloudflare:workers";
import { sign } from "hono/utils/jwt/jwt";

/** A valid HS256 access token for `userId`, with optional claim overrides. */
export async function tokenFor(
  userId: string,
  claims: Record<string, unknown> = {},
  secret = env.JWT_SECRET,
): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return sign({ sub: userId, iat: now, exp: now + 3600, ...claims }, secret, "HS256");
}

/** A fresh user id, so tests never see each other's data. */
export const newUser = (label = "user"): string => `${label}-${crypto.randomUUID()}`;
