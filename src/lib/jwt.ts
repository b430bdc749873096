// Verifies access tokens with jose (docs/api.md, "Authentication"): HS256 with JWT_SECRET, RS256/ES256
// against JWKS_URL when set; JWT_ISSUER and JWT_AUDIENCE enforced when set; `exp` and `sub` required.
import {
  createRemoteJWKSet,
  decodeProtectedHeader,
  errors,
  type JWTPayload,
  type JWTVerifyGetKey,
  jwtVerify,
} from "jose";
import type { Config } from "./config";
import { AppError } from "./errors";
import { type ProfileClaims, profileFromClaims } from "./identity";
import { accessTokenKey } from "./keys";

const ASYMMETRIC = ["RS256", "ES256"];
/** jose's cache: keys kept 10 minutes; an unknown `kid` refetches (at most every 30 s). */
const JWKS_OPTIONS = { cacheMaxAge: 10 * 60_000, cooldownDuration: 30_000, timeoutDuration: 5_000 };
const MAX_SUB = 256;

const remoteKeySets = new Map<string, JWTVerifyGetKey>();

/** The key set could not be fetched or read: our outage (or the provider's), never the token's fault. */
export class KeysUnavailable extends Error {
  constructor(cause: unknown) {
    super("The token signing keys could not be loaded", { cause });
    this.name = "KeysUnavailable";
  }
}

/** A key-selection answer about the token (no key for its kid, several keys): everything else is an outage. */
const aboutTheToken = (error: unknown) =>
  error instanceof errors.JOSEError &&
  !(error instanceof errors.JWKSTimeout || error instanceof errors.JWKSInvalid) &&
  error.code !== errors.JOSEError.code;

/** One remote key set per URL per isolate, so jose's cache and its refetch on an unknown `kid` carry over requests. */
export function remoteKeySet(url: string): JWTVerifyGetKey {
  let keySet = remoteKeySets.get(url);
  if (!keySet) {
    const remote = createRemoteJWKSet(new URL(url), JWKS_OPTIONS);
    keySet = async (header, token) => {
      try {
        return await remote(header, token);
      } catch (error) {
        throw aboutTheToken(error) ? error : new KeysUnavailable(error);
      }
    };
    remoteKeySets.set(url, keySet);
  }
  return keySet;
}

const unauthorized = (message: string, cause?: unknown) => new AppError("unauthorized", message, { cause });

/** The caller an access token names: `sub`, and the profile claims it carried. */
export interface TokenIdentity extends ProfileClaims {
  userId: string;
}

/**
 * Why a token was refused, by jose's error class. Its messages never reach a response: each refusal
 * says what is wrong in our words and quotes no part of the token.
 */
function reasonOf(error: unknown): string {
  if (error instanceof errors.JWTExpired) return "Invalid token: expired";
  if (error instanceof errors.JWTClaimValidationFailed) {
    if (error.claim === "nbf") return "Invalid token: not valid yet (nbf)";
    if (error.claim === "iat") return "Invalid token: issued in the future (iat)";
    if (error.claim === "iss") return "Invalid token: issuer not accepted";
    if (error.claim === "aud")
      return error.reason === "missing" ? "Invalid token: no aud claim" : "Invalid token: audience not accepted";
    return "Invalid token: a claim is not accepted";
  }
  if (error instanceof errors.JWSSignatureVerificationFailed) return "Invalid token: signature does not match";
  if (error instanceof errors.JOSEAlgNotAllowed || error instanceof errors.JOSENotSupported)
    return "Invalid token: algorithm not accepted";
  if (error instanceof errors.JWKSNoMatchingKey) return "Invalid token: no signing key matches its kid";
  if (error instanceof errors.JWKSMultipleMatchingKeys) return "Invalid token: header has no kid";
  return "Invalid token";
}

/** A refusal that says what is wrong without quoting any part of the token; a JWKS that cannot be read is ours (500). */
export function refusalOf(error: unknown): AppError {
  if (error instanceof AppError) return error;
  if (error instanceof KeysUnavailable)
    return new AppError("internal", "Could not load the token signing keys", { cause: error });
  return unauthorized(reasonOf(error), error);
}

async function verifySignature(token: string, alg: string, config: Config): Promise<JWTPayload> {
  const options = { issuer: config.jwtIssuer, audience: config.jwtAudience };
  if (alg === "HS256") {
    if (!config.jwtSecret) throw unauthorized("HS256 tokens are not accepted: JWT_SECRET is not configured");
    return (await jwtVerify(token, accessTokenKey(config.jwtSecret), { ...options, algorithms: ["HS256"] })).payload;
  }
  if (ASYMMETRIC.includes(alg) && config.jwksUrl)
    return (await jwtVerify(token, remoteKeySet(config.jwksUrl), { ...options, algorithms: ASYMMETRIC })).payload;
  throw unauthorized("Tokens signed with this algorithm are not accepted (HS256, or RS256/ES256 when JWKS_URL is set)");
}

/** Verifies a Bearer token and returns its user (`sub`) and profile claims. Throws `unauthorized` with the reason. */
export async function verifyAccessToken(token: string, config: Config): Promise<TokenIdentity> {
  let alg: unknown;
  try {
    alg = decodeProtectedHeader(token).alg;
  } catch (error) {
    throw unauthorized("Malformed token", error);
  }
  if (typeof alg !== "string") throw unauthorized("Malformed token");
  let payload: JWTPayload;
  try {
    payload = await verifySignature(token, alg, config);
  } catch (error) {
    throw refusalOf(error);
  }
  // jose accepts an iat in the future; a token minted ahead of our clock is refused, as it always was.
  if (typeof payload.iat === "number" && payload.iat > Math.floor(Date.now() / 1000))
    throw unauthorized("Invalid token: issued in the future (iat)");
  if (typeof payload.exp !== "number") throw unauthorized("Token has no exp claim");
  if (typeof payload.sub !== "string" || payload.sub.length === 0 || payload.sub.length > MAX_SUB)
    throw unauthorized("Token has no valid sub claim");
  return { userId: payload.sub, ...profileFromClaims(payload) };
}
