// Verifies access tokens (docs/api.md, "Authentication"): HS256 with JWT_SECRET, RS256/ES256 against JWKS_URL when set.

import type { HonoJsonWebKey } from "hono/utils/jwt/jws";
import { decodeHeader, verify, verifyWithJwks } from "hono/utils/jwt/jwt";
import type { JWTPayload } from "hono/utils/jwt/types";
import type { Config } from "./config";
import { AppError } from "./errors";

const ASYMMETRIC = ["RS256", "ES256"] as const;
const JWKS_TTL_MS = 10 * 60_000;
const JWKS_FETCH_TIMEOUT_MS = 5_000;

const jwksCache = new Map<string, { keys: HonoJsonWebKey[]; expiresAt: number }>();

const unauthorized = (message: string, cause?: unknown) => new AppError("unauthorized", message, { cause });

/**
 * Why a token was refused, by the verifier's error class. The verifier's own messages quote the
 * token (`token (eyJ…) expired`), so they never reach a response.
 */
const REFUSALS: Record<string, string> = {
  JwtTokenExpired: "Invalid token: expired",
  JwtTokenNotBefore: "Invalid token: not valid yet (nbf)",
  JwtTokenIssuedAt: "Invalid token: issued in the future (iat)",
  JwtTokenIssuer: "Invalid token: issuer not accepted",
  JwtTokenAudience: "Invalid token: audience not accepted",
  JwtPayloadRequiresAud: "Invalid token: no aud claim",
  JwtTokenSignatureMismatched: "Invalid token: signature does not match",
  JwtAlgorithmMismatch: "Invalid token: algorithm not accepted",
  JwtAlgorithmNotAllowed: "Invalid token: algorithm not accepted",
  JwtSymmetricAlgorithmNotAllowed: "Invalid token: algorithm not accepted",
  JwtHeaderRequiresKid: "Invalid token: header has no kid",
};

/** A refusal that says what is wrong without quoting any part of the token. */
export function refusalOf(error: unknown): AppError {
  if (error instanceof AppError) return error;
  const reason = error instanceof Error ? REFUSALS[error.name] : undefined;
  return unauthorized(reason ?? "Invalid token", error);
}

async function loadJwks(url: string, forceRefresh: boolean): Promise<HonoJsonWebKey[]> {
  const cached = jwksCache.get(url);
  if (cached && !forceRefresh && cached.expiresAt > Date.now()) return cached.keys;
  let body: unknown;
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(JWKS_FETCH_TIMEOUT_MS) });
    if (!response.ok) throw new Error(`JWKS answered ${response.status}`);
    body = await response.json();
  } catch (error) {
    throw new AppError("internal", "Could not load the token signing keys", { cause: error });
  }
  const keys = (body as { keys?: unknown }).keys;
  if (!Array.isArray(keys)) throw new AppError("internal", "The token signing keys are malformed");
  jwksCache.set(url, { keys: keys as HonoJsonWebKey[], expiresAt: Date.now() + JWKS_TTL_MS });
  return keys as HonoJsonWebKey[];
}

async function verifySignature(token: string, alg: string, config: Config): Promise<JWTPayload> {
  const verification = { iss: config.jwtIssuer, aud: config.jwtAudience };
  if (alg === "HS256") {
    if (!config.jwtSecret) throw unauthorized("HS256 tokens are not accepted: JWT_SECRET is not configured");
    return verify(token, config.jwtSecret, { alg: "HS256", ...verification });
  }
  if ((ASYMMETRIC as readonly string[]).includes(alg) && config.jwksUrl) {
    const options = { verification, allowedAlgorithms: ASYMMETRIC };
    const keys = await loadJwks(config.jwksUrl, false);
    const kid = decodeHeader(token).kid;
    // A key rotated in since the last fetch: refresh once before rejecting.
    const known = kid === undefined || keys.some((key) => key.kid === kid);
    return verifyWithJwks(token, { ...options, keys: known ? keys : await loadJwks(config.jwksUrl, true) });
  }
  throw unauthorized("Tokens signed with this algorithm are not accepted (HS256, or RS256/ES256 when JWKS_URL is set)");
}

/** Verifies a Bearer token and returns the user id (`sub`). Throws `unauthorized` with the reason. */
export async function verifyAccessToken(token: string, config: Config): Promise<string> {
  let alg: string;
  try {
    alg = decodeHeader(token).alg;
  } catch (error) {
    throw unauthorized("Malformed token", error);
  }
  let payload: JWTPayload;
  try {
    payload = await verifySignature(token, alg, config);
  } catch (error) {
    throw refusalOf(error);
  }
  if (typeof payload.exp !== "number") throw unauthorized("Token has no exp claim");
  if (typeof payload.sub !== "string" || payload.sub.length === 0 || payload.sub.length > 256) {
    throw unauthorized("Token has no valid sub claim");
  }
  return payload.sub;
}
