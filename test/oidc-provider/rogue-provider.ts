// A tiny provider that speaks OpenID Connect at the wire (discovery, authorize, token, JWKS) but can forge
// its ID tokens on request, signed with jose: the refusals the real provider never gives a test to see.
import { randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { exportJWK, generateKeyPair, type JWTPayload, SignJWT } from "jose";
import { ACCOUNTS, type AccountLogin } from "./accounts.ts";
import type { RunningProvider } from "./provider.ts";

/**
 * What the next ID token gets wrong, named by the test with `forge=` on the authorization request:
 * `honest` gets nothing wrong (so a refusal is the forgery's doing, not the rogue's).
 */
export type Forgery = "honest" | "wrong-nonce" | "wrong-audience" | "expired" | "other-key";

interface Pending {
  nonce: string;
  clientId: string;
  forge: Forgery;
  login: AccountLogin;
}

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { "content-type": "application/json", "cache-control": "no-store" }).end(JSON.stringify(body));
}

export async function startRogueProvider(): Promise<RunningProvider> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const published = await generateKeyPair("RS256", { extractable: true });
  // Never published: a token signed with it under the published kid must fail its signature check.
  const unpublished = await generateKeyPair("RS256");
  const kid = "rogue-published-key";
  const jwks = { keys: [{ ...(await exportJWK(published.publicKey)), kid, alg: "RS256", use: "sig" }] };
  const codes = new Map<string, Pending>();

  async function idToken(pending: Pending): Promise<string> {
    const now = Math.floor(Date.now() / 1000);
    const claims: JWTPayload = {
      ...ACCOUNTS[pending.login],
      iss: issuer,
      aud: pending.clientId,
      iat: now,
      exp: now + 300,
      nonce: pending.nonce,
    };
    if (pending.forge === "wrong-nonce") claims.nonce = "a-nonce-from-another-sign-in";
    if (pending.forge === "wrong-audience") claims.aud = "another-application";
    if (pending.forge === "expired") Object.assign(claims, { iat: now - 900, exp: now - 600 });
    const key = pending.forge === "other-key" ? unpublished.privateKey : published.privateKey;
    return new SignJWT(claims).setProtectedHeader({ alg: "RS256", kid }).sign(key);
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", issuer);
    if (url.pathname === "/.well-known/openid-configuration")
      return send(res, 200, {
        issuer,
        authorization_endpoint: `${issuer}/authorize`,
        token_endpoint: `${issuer}/token`,
        jwks_uri: `${issuer}/jwks`,
        response_types_supported: ["code"],
        subject_types_supported: ["public"],
        id_token_signing_alg_values_supported: ["RS256"],
        code_challenge_methods_supported: ["S256"],
        token_endpoint_auth_methods_supported: ["client_secret_basic", "none"],
      });
    if (url.pathname === "/jwks") return send(res, 200, jwks);
    if (url.pathname === "/authorize") {
      const code = randomBytes(16).toString("base64url");
      const login = url.searchParams.get("login_hint");
      codes.set(code, {
        nonce: url.searchParams.get("nonce") ?? "",
        clientId: url.searchParams.get("client_id") ?? "",
        forge: (url.searchParams.get("forge") ?? "honest") as Forgery,
        login: login && Object.hasOwn(ACCOUNTS, login) ? (login as AccountLogin) : "oidc-alice",
      });
      const back = new URL(url.searchParams.get("redirect_uri") ?? "");
      back.searchParams.set("code", code);
      back.searchParams.set("state", url.searchParams.get("state") ?? "");
      res.writeHead(302, { location: back.href }).end();
      return;
    }
    if (url.pathname === "/token" && req.method === "POST") {
      let body = "";
      for await (const chunk of req) body += String(chunk);
      const code = new URLSearchParams(body).get("code") ?? "";
      const pending = codes.get(code);
      codes.delete(code);
      if (!pending) return send(res, 400, { error: "invalid_grant" });
      return send(res, 200, {
        access_token: randomBytes(16).toString("base64url"),
        token_type: "Bearer",
        expires_in: 300,
        id_token: await idToken(pending),
      });
    }
    send(res, 404, { error: "not_found" });
  }

  server.on("request", (req: IncomingMessage, res: ServerResponse) => {
    handle(req, res).catch((error: unknown) => send(res, 500, { error: String(error) }));
  });
  return {
    issuer,
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
