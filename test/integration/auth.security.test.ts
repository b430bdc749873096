import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { getConfig } from "../../src/lib/config";
import { AppError } from "../../src/lib/errors";
import { verifyAccessToken } from "../../src/lib/jwt";
import { api, type ErrorJson } from "../helpers/api";
import { newUser, signJwt, tokenFor } from "../helpers/auth";

async function withToken(token: string) {
  const response = await api("/api/tools", { headers: { Authorization: `Bearer ${token}` } });
  return { response, body: (await response.json()) as ErrorJson };
}

describe("Bearer authentication on /api/*", () => {
  it("accepts a valid HS256 token", async () => {
    const { response } = await withToken(await tokenFor(newUser()));
    expect(response.status).toBe(200);
  });

  it("rejects a missing header with 401 unauthorized and WWW-Authenticate", async () => {
    const response = await api("/api/tools");
    expect(response.status).toBe(401);
    expect(response.headers.get("WWW-Authenticate")).toMatch(/^Bearer/);
    expect(await response.json()).toEqual({ error: { code: "unauthorized", message: "Missing Authorization header" } });
  });

  it("rejects a header that is not Bearer", async () => {
    const response = await api("/api/tools", { headers: { Authorization: "Basic dXNlcjpwYXNz" } });
    expect(response.status).toBe(401);
  });

  it("rejects a malformed token", async () => {
    const { response, body } = await withToken("not.a.jwt");
    expect(response.status).toBe(401);
    expect(body.error.code).toBe("unauthorized");
  });

  it("rejects a token signed with another secret", async () => {
    const { response, body } = await withToken(await tokenFor(newUser(), {}, "some-other-secret-0123456789abcdef"));
    expect(response.status).toBe(401);
    expect(body.error.message).toMatch(/Invalid token/);
  });

  it("rejects an expired token", async () => {
    const { response, body } = await withToken(await tokenFor(newUser(), { exp: Math.floor(Date.now() / 1000) - 10 }));
    expect(response.status).toBe(401);
    expect(body.error.message).toMatch(/expired/i);
  });

  it("rejects a token without exp", async () => {
    const token = await signJwt({ sub: newUser() }, env.JWT_SECRET);
    const { response, body } = await withToken(token);
    expect(response.status).toBe(401);
    expect(body.error.message).toBe("Token has no exp claim");
  });

  it("rejects a token without sub", async () => {
    const token = await signJwt({ exp: Math.floor(Date.now() / 1000) + 60 }, env.JWT_SECRET);
    const { body } = await withToken(token);
    expect(body.error.message).toBe("Token has no valid sub claim");
  });

  it("rejects the 'none' algorithm", async () => {
    const encode = (value: unknown) =>
      btoa(JSON.stringify(value)).replace(/=+$/, "").replace(/\+/g, "-").replace(/\//g, "_");
    const token = `${encode({ alg: "none", typ: "JWT" })}.${encode({ sub: "x", exp: Math.floor(Date.now() / 1000) + 60 })}.`;
    const { response } = await withToken(token);
    expect(response.status).toBe(401);
  });

  it("accepts an RS256 token whose key is in JWKS_URL, and rejects one whose key is not", async () => {
    const pair = (await crypto.subtle.generateKey(
      { name: "RSASSA-PKCS1-v1_5", modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: "SHA-256" },
      true,
      ["sign", "verify"],
    )) as CryptoKeyPair;
    const kid = `key-${crypto.randomUUID()}`;
    const publicJwk = (await crypto.subtle.exportKey("jwk", pair.publicKey)) as JsonWebKey;
    const upstream = new URL(getConfig(env).openaiBaseUrl).origin;
    await fetch(`${upstream}/__jwks`, {
      method: "POST",
      body: JSON.stringify({ keys: [{ ...publicJwk, kid, alg: "RS256", use: "sig" }] }),
    });
    const now = Math.floor(Date.now() / 1000);
    const token = await signJwt({ sub: "rs-user", exp: now + 60 }, pair.privateKey, { alg: "RS256", kid });
    expect((await withToken(token)).response.status).toBe(200);
    const stranger = await signJwt({ sub: "rs-user", exp: now + 60 }, pair.privateKey, {
      alg: "RS256",
      kid: "unknown-kid",
    });
    expect((await withToken(stranger)).response.status).toBe(401);
  });
});

describe("verifyAccessToken with issuer and audience configured", () => {
  const config = { ...getConfig(env), jwtIssuer: "https://idp.example.edu", jwtAudience: "assistant-architect" };
  const reason = async (claims: Record<string, unknown>) => {
    try {
      return (await verifyAccessToken(await tokenFor("u1", claims), config)).userId;
    } catch (error) {
      return error instanceof AppError ? `${error.code}: ${error.message}` : "unexpected";
    }
  };

  it("accepts the right issuer and audience and returns sub", async () => {
    expect(await reason({ iss: "https://idp.example.edu", aud: "assistant-architect" })).toBe("u1");
  });

  it("rejects a wrong issuer", async () => {
    expect(await reason({ iss: "https://evil.example", aud: "assistant-architect" })).toMatch(
      /^unauthorized: Invalid token/,
    );
  });

  it("rejects a wrong or missing audience", async () => {
    expect(await reason({ iss: "https://idp.example.edu", aud: "other" })).toMatch(/^unauthorized/);
    expect(await reason({ iss: "https://idp.example.edu" })).toMatch(/^unauthorized/);
  });
});
