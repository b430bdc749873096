// Keys derived from JWT_SECRET, one per purpose, so a token made for one use never verifies as another.
const encoder = new TextEncoder();
// Resolved keys only: a promise made during one request must not be awaited by another (workerd).
const cache = new Map<string, Uint8Array>();

/** What a derived key signs or encrypts; each purpose gets an unrelated key (HKDF info). */
export type KeyPurpose = "session-cookie" | "oidc-transaction";

/** The raw HS256 key for access tokens: JWT_SECRET itself (what identity providers and `npm run token` sign with). */
export const accessTokenKey = (secret: string): Uint8Array => encoder.encode(secret);

/**
 * Stream tokens keep the derivation they have always had, so tokens issued before an upgrade still
 * verify: a different string than JWT_SECRET, hence a different HMAC key.
 */
export const streamTokenKey = (secret: string): Uint8Array => encoder.encode(`stream-token:v1:${secret}`);

/** A 256-bit key for `purpose`, derived from `secret` with HKDF-SHA256 (cached per isolate). */
export async function derivedKey(secret: string, purpose: KeyPurpose): Promise<Uint8Array> {
  const name = `${purpose}\n${secret}`;
  const cached = cache.get(name);
  if (cached) return cached;
  const key = await derive(secret, purpose);
  cache.set(name, key);
  return key;
}

async function derive(secret: string, purpose: KeyPurpose): Promise<Uint8Array> {
  const base = await crypto.subtle.importKey("raw", encoder.encode(secret), "HKDF", false, ["deriveBits"]);
  const bits = await crypto.subtle.deriveBits(
    {
      name: "HKDF",
      hash: "SHA-256",
      salt: encoder.encode("assistant-architect-stream"),
      info: encoder.encode(purpose),
    },
    base,
    256,
  );
  return new Uint8Array(bits);
}
