// Sign-in with an OpenID provider (SPEC §14) through oauth4webapi: discovery (cached per isolate), the
// authorization request (code + PKCE S256 + state + nonce), the code exchange and the ID token's checks
// (issuer, audience, nonce, expiry), then its signature against the provider's JWKS with jose.
import { jwtVerify } from "jose";
import * as oauth from "oauth4webapi";
import type { OidcConfig } from "../lib/config";
import { KeysUnavailable, remoteKeySet } from "../lib/jwt";
import type { SignInTransaction } from "../lib/oidc-transaction";

/** A sign-in that cannot go on: `reason` is shown on the page, `status` is its HTTP status. */
export class SignInRefused extends Error {
  constructor(
    readonly reason: string,
    readonly status: 400 | 401 | 403 | 500 | 502,
    cause?: unknown,
  ) {
    super(reason, { cause });
    this.name = "SignInRefused";
  }
}

const SCOPE = "openid email profile";
const DISCOVERY_TTL_MS = 60 * 60_000;
const TIMEOUT_MS = 10_000;
/** Asymmetric only: an ID token "signed" with the client secret proves nothing a provider key does. */
const ID_TOKEN_ALGORITHMS = [
  "RS256",
  "RS384",
  "RS512",
  "PS256",
  "PS384",
  "PS512",
  "ES256",
  "ES384",
  "EdDSA",
  "Ed25519",
];

// Resolved metadata only: a promise made during one request must not be awaited by another (workerd).
const discovered = new Map<string, { server: oauth.AuthorizationServer; until: number }>();

/** oauth4webapi refuses http:// endpoints; a provider on this machine (local development, tests) may use it. */
function requestOptions(issuer: string) {
  const { protocol, hostname } = new URL(issuer);
  const loopback = protocol === "http:" && ["localhost", "127.0.0.1", "[::1]"].includes(hostname);
  return { signal: AbortSignal.timeout(TIMEOUT_MS), ...(loopback ? { [oauth.allowInsecureRequests]: true } : {}) };
}

const unreachable = (cause: unknown) =>
  new SignInRefused("The sign-in provider could not be reached. Try again in a moment.", 502, cause);

async function authorizationServer(oidc: OidcConfig): Promise<oauth.AuthorizationServer> {
  const cached = discovered.get(oidc.issuer);
  if (cached && cached.until > Date.now()) return cached.server;
  const issuer = new URL(oidc.issuer);
  let server: oauth.AuthorizationServer;
  try {
    const response = await oauth.discoveryRequest(issuer, { algorithm: "oidc", ...requestOptions(oidc.issuer) });
    server = await oauth.processDiscoveryResponse(issuer, response);
  } catch (error) {
    throw unreachable(error);
  }
  if (!server.authorization_endpoint || !server.token_endpoint || !server.jwks_uri)
    throw new SignInRefused("The sign-in provider's configuration lacks an endpoint this service needs.", 502);
  discovered.set(oidc.issuer, { server, until: Date.now() + DISCOVERY_TTL_MS });
  return server;
}

/** A confidential client authenticates as its provider prefers (Basic unless only POST is offered); a public one with PKCE alone. */
function clientAuthentication(oidc: OidcConfig, server: oauth.AuthorizationServer): oauth.ClientAuth {
  if (!oidc.clientSecret) return oauth.None();
  const methods = server.token_endpoint_auth_methods_supported;
  const postOnly = methods?.includes("client_secret_post") && !methods.includes("client_secret_basic");
  return postOnly ? oauth.ClientSecretPost(oidc.clientSecret) : oauth.ClientSecretBasic(oidc.clientSecret);
}

/** The provider URL to send the browser to, and the transaction to keep until it comes back. */
export async function startSignIn(
  oidc: OidcConfig,
  redirectUri: string,
  returnTo: string,
  prompt?: "select_account",
): Promise<{ url: string; transaction: SignInTransaction }> {
  const server = await authorizationServer(oidc);
  const transaction: SignInTransaction = {
    state: oauth.generateRandomState(),
    nonce: oauth.generateRandomNonce(),
    codeVerifier: oauth.generateRandomCodeVerifier(),
    returnTo,
  };
  const url = new URL(server.authorization_endpoint as string);
  url.searchParams.set("client_id", oidc.clientId);
  url.searchParams.set("redirect_uri", redirectUri);
  url.searchParams.set("response_type", "code");
  url.searchParams.set("scope", SCOPE);
  url.searchParams.set("code_challenge", await oauth.calculatePKCECodeChallenge(transaction.codeVerifier));
  url.searchParams.set("code_challenge_method", "S256");
  url.searchParams.set("state", transaction.state);
  url.searchParams.set("nonce", transaction.nonce);
  if (prompt) url.searchParams.set("prompt", prompt);
  return { url: url.href, transaction };
}

const CLAIM_REASONS: Record<string, string> = {
  nonce: "it was not issued for this sign-in (nonce)",
  aud: "it was issued to another application (audience)",
  azp: "it was issued to another application (authorized party)",
  iss: "it comes from another issuer",
  exp: "it has expired",
  iat: "it was issued at an unexpected time",
  nbf: "it is not valid yet",
};

function idTokenRefused(detail: string, cause?: unknown): SignInRefused {
  return new SignInRefused(`Your provider's answer was not accepted: ${detail}. Please sign in again.`, 401, cause);
}

/** What oauth4webapi refused in the token response, in our words (its own messages stay in the logs). */
function exchangeRefused(error: unknown): SignInRefused {
  if (error instanceof oauth.ResponseBodyError)
    return new SignInRefused(
      `The provider refused the sign-in code (${error.error}): it may have been used already or have expired. Please sign in again.`,
      400,
      error,
    );
  if (error instanceof oauth.OperationProcessingError) {
    const claim = (error.cause as { claim?: unknown } | undefined)?.claim;
    const reason = typeof claim === "string" ? CLAIM_REASONS[claim] : undefined;
    return idTokenRefused(reason ? `the ID token ${reason}` : "the ID token or the token response is malformed", error);
  }
  return unreachable(error);
}

/**
 * Completes the sign-in the provider sent back to `callbackUrl`: the state must be the transaction's,
 * the code is exchanged with the PKCE verifier, the ID token must carry the transaction's nonce, name
 * this client and be unexpired (oauth4webapi), and be signed by a key of the provider's JWKS (jose).
 * Returns the ID token's claims.
 */
export async function finishSignIn(
  oidc: OidcConfig,
  callbackUrl: URL,
  transaction: SignInTransaction,
  redirectUri: string,
): Promise<oauth.IDToken> {
  const server = await authorizationServer(oidc);
  const client: oauth.Client = { client_id: oidc.clientId };
  let params: URLSearchParams;
  try {
    params = oauth.validateAuthResponse(server, client, callbackUrl, transaction.state);
  } catch (error) {
    if (error instanceof oauth.AuthorizationResponseError)
      throw new SignInRefused(`The provider did not sign you in (${error.error}).`, 400, error);
    throw new SignInRefused(
      "This answer does not belong to the sign-in started here (state). Please sign in again.",
      400,
      error,
    );
  }
  let result: oauth.TokenEndpointResponse;
  try {
    const response = await oauth.authorizationCodeGrantRequest(
      server,
      client,
      clientAuthentication(oidc, server),
      params,
      redirectUri,
      transaction.codeVerifier,
      requestOptions(oidc.issuer),
    );
    result = await oauth.processAuthorizationCodeResponse(server, client, response, {
      expectedNonce: transaction.nonce,
      requireIdToken: true,
    });
  } catch (error) {
    throw exchangeRefused(error);
  }
  const claims = oauth.getValidatedIdTokenClaims(result);
  if (!result.id_token || !claims) throw idTokenRefused("it carried no ID token");
  try {
    await jwtVerify(result.id_token, remoteKeySet(server.jwks_uri as string), {
      issuer: server.issuer,
      audience: oidc.clientId,
      algorithms: ID_TOKEN_ALGORITHMS,
      // oauth4webapi's tolerance: its checks passed, so only the signature can fail here.
      clockTolerance: 30,
    });
  } catch (error) {
    if (error instanceof KeysUnavailable) throw unreachable(error);
    throw idTokenRefused("the ID token's signature does not match the provider's keys", error);
  }
  return claims;
}
