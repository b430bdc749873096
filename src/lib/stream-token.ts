// Stream tokens (docs/api.md, "Authentication"): short-lived, read-only, for one execution's event stream only.
// Signed with a key derived from JWT_SECRET, so they can never pass as access tokens, nor the reverse.
import { sign, verify } from "hono/utils/jwt/jwt";
import { AppError } from "./errors";

export const STREAM_TOKEN_TTL_SECONDS = 60 * 60;

const streamKey = (secret: string) => `stream-token:v1:${secret}`;

/** Signs a token that lets its bearer read `executionId`'s events until it expires. */
export async function signStreamToken(
  secret: string,
  userId: string,
  executionId: string,
  now = Date.now(),
): Promise<string> {
  const iat = Math.floor(now / 1000);
  return sign(
    { sub: userId, exe: executionId, scope: "events:read", iat, exp: iat + STREAM_TOKEN_TTL_SECONDS },
    streamKey(secret),
    "HS256",
  );
}

/** Verifies a stream token for `executionId`; returns its user id or throws `unauthorized`. */
export async function verifyStreamToken(secret: string, token: string, executionId: string): Promise<string> {
  try {
    const payload = await verify(token, streamKey(secret), "HS256");
    // hono checks exp only when present; a stream token must expire.
    if (typeof payload.exp !== "number") throw new Error("no exp");
    if (payload.scope !== "events:read" || payload.exe !== executionId || typeof payload.sub !== "string")
      throw new Error("wrong execution");
    return payload.sub;
  } catch (error) {
    throw new AppError("unauthorized", "Invalid or expired stream token", { cause: error });
  }
}
