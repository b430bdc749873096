// Signs test tokens the way a real identity provider would (jose).
import { env } from "cloudflare:workers";
import { type JWTHeaderParameters, type JWTPayload, SignJWT } from "jose";

/** Signs `payload` exactly as given (no claim added): HS256 with a string secret, or the header's alg with a key. */
export async function signJwt(
  payload: JWTPayload,
  key: string | CryptoKey,
  header: JWTHeaderParameters = { alg: "HS256" },
): Promise<string> {
  return new SignJWT(payload)
    .setProtectedHeader(header)
    .sign(typeof key === "string" ? new TextEncoder().encode(key) : key);
}

/** A valid HS256 access token for `userId`, with optional claim overrides. */
export async function tokenFor(
  userId: string,
  claims: Record<string, unknown> = {},
  secret = env.JWT_SECRET,
): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return signJwt({ sub: userId, iat: now, exp: now + 3600, ...claims }, secret);
}

/** A fresh user id, so tests never see each other's data. */
export const newUser = (label = "user"): string => `${label}-${crypto.randomUUID()}`;
