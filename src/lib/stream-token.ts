// Stream tokens (docs/api.md, "Authentication"): short-lived, read-only, for one execution's event stream only.
// Signed (jose, HS256) with a key derived from JWT_SECRET, so they can never pass as access tokens, nor the reverse.
import { jwtVerify, SignJWT } from "jose";
import { AppError } from "./errors";
import { streamTokenKey } from "./keys";

export const STREAM_TOKEN_TTL_SECONDS = 60 * 60;

/** Signs a token that lets its bearer read `executionId`'s events until it expires. */
export async function signStreamToken(
  secret: string,
  userId: string,
  executionId: string,
  now = Date.now(),
): Promise<string> {
  const iat = Math.floor(now / 1000);
  return new SignJWT({ exe: executionId, scope: "events:read" })
    .setProtectedHeader({ alg: "HS256" })
    .setSubject(userId)
    .setIssuedAt(iat)
    .setExpirationTime(iat + STREAM_TOKEN_TTL_SECONDS)
    .sign(streamTokenKey(secret));
}

/** Verifies a stream token for `executionId`; returns its user id or throws `unauthorized`. */
export async function verifyStreamToken(secret: string, token: string, executionId: string): Promise<string> {
  try {
    const { payload } = await jwtVerify(token, streamTokenKey(secret), {
      algorithms: ["HS256"],
      requiredClaims: ["exp", "sub"],
    });
    if (payload.scope !== "events:read" || payload.exe !== executionId || typeof payload.sub !== "string")
      throw new Error("wrong execution");
    return payload.sub;
  } catch (error) {
    throw new AppError("unauthorized", "Invalid or expired stream token", { cause: error });
  }
}
