// The sign-in in flight (state, nonce, PKCE verifier, where to return), kept in a short-lived cookie
// encrypted with jose (dir + A256GCM, a key derived from JWT_SECRET): nothing stored, nothing readable or forgeable.
import { EncryptJWT, jwtDecrypt } from "jose";
import { derivedKey } from "./keys";

export const TRANSACTION_COOKIE = "aas_signin";
/** Ten minutes to sign in at the provider; a later callback starts again. */
export const TRANSACTION_TTL_SECONDS = 600;
const MAX_TRANSACTION_COOKIE_BYTES = 4096;

export interface SignInTransaction {
  state: string;
  nonce: string;
  codeVerifier: string;
  /** A same-origin path (already checked by safeReturnTo). */
  returnTo: string;
}

/** Encrypts the transaction for the cookie. */
export async function sealTransaction(secret: string, transaction: SignInTransaction): Promise<string> {
  return new EncryptJWT({ ...transaction })
    .setProtectedHeader({ alg: "dir", enc: "A256GCM" })
    .setIssuedAt()
    .setExpirationTime(`${TRANSACTION_TTL_SECONDS}s`)
    .encrypt(await derivedKey(secret, "oidc-transaction"));
}

/** The transaction in the cookie, or null when it is missing, expired, tampered with or not ours. */
export async function openTransaction(secret: string, sealed: string | undefined): Promise<SignInTransaction | null> {
  if (!sealed || sealed.length > MAX_TRANSACTION_COOKIE_BYTES) return null;
  try {
    const { payload } = await jwtDecrypt(sealed, await derivedKey(secret, "oidc-transaction"), {
      keyManagementAlgorithms: ["dir"],
      contentEncryptionAlgorithms: ["A256GCM"],
      requiredClaims: ["exp"],
    });
    const { state, nonce, codeVerifier, returnTo } = payload;
    if ([state, nonce, codeVerifier, returnTo].some((value) => typeof value !== "string")) return null;
    return { state, nonce, codeVerifier, returnTo } as SignInTransaction;
  } catch {
    return null;
  }
}
