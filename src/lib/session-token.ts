// The `aas_session` cookie's value: a jose-signed JWT {sub, sid, exp} under a key of its own (derived from
// JWT_SECRET), so it never passes as an access or stream token. Whether `sid` is still live is the user's object's call.
import { errors, jwtVerify, SignJWT } from "jose";
import { AppError } from "./errors";
import { derivedKey } from "./keys";

export const SESSION_COOKIE = "aas_session";
const TYP = "aas-session+jwt";
/** No real session cookie comes near this; a longer one is refused before any parsing. */
export const MAX_SESSION_COOKIE_BYTES = 2048;

/** What the cookie carries: the user, the session's id in that user's object, its expiry (epoch seconds). */
export interface SessionClaims {
  sub: string;
  sid: string;
  exp: number;
}

/** Signs the cookie value for a session created in the user's object. */
export async function signSessionToken(secret: string, claims: SessionClaims): Promise<string> {
  return new SignJWT({ sid: claims.sid })
    .setProtectedHeader({ alg: "HS256", typ: TYP })
    .setSubject(claims.sub)
    .setIssuedAt()
    .setExpirationTime(claims.exp)
    .sign(await derivedKey(secret, "session-cookie"));
}

/** Verifies the cookie value; throws `unauthorized` (quoting none of it) when it is forged, malformed or expired. */
export async function verifySessionToken(secret: string, token: string): Promise<SessionClaims> {
  if (token.length > MAX_SESSION_COOKIE_BYTES) throw new AppError("unauthorized", "Invalid session");
  try {
    const { payload } = await jwtVerify(token, await derivedKey(secret, "session-cookie"), {
      algorithms: ["HS256"],
      typ: TYP,
      requiredClaims: ["exp", "sub", "sid"],
    });
    const { sub, sid, exp } = payload;
    if (typeof sub !== "string" || typeof sid !== "string" || typeof exp !== "number") throw new Error("claims");
    return { sub, sid, exp };
  } catch (error) {
    const expired = error instanceof errors.JWTExpired;
    throw new AppError("unauthorized", expired ? "Session expired: sign in again" : "Invalid session", {
      cause: error,
    });
  }
}
