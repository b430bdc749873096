// Sign-in at the wire: the Worker configured for the loopback OpenID providers, the redirect dance
// followed by hand (manual redirects, the provider's cookies in a small jar), and cookie readers.
import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { expect } from "vitest";
import { createApp } from "../../src/app";
import { type AccountLogin, ALLOWED_DOMAIN, ALLOWED_TENANT, CLIENTS } from "../oidc-provider/accounts";

/** ADMINS for the sign-in deployments: one by user id, two by email (Eve's is not verified). */
export const TEST_ADMINS = "oidc-hana,alice@school.example.edu,eve@school.example.edu";

/** A deployment signed in through the real provider with the confidential client. */
export const oidcEnv: Env = {
  ...env,
  OIDC_ISSUER: env.TEST_OIDC_ISSUER,
  OIDC_CLIENT_ID: CLIENTS.confidential.id,
  OIDC_ALLOWED_DOMAINS: ALLOWED_DOMAIN,
  OIDC_ALLOWED_TENANTS: ALLOWED_TENANT,
  SESSION_TTL_S: "3600",
  ADMINS: TEST_ADMINS,
  ...{ OIDC_CLIENT_SECRET: CLIENTS.confidential.secret },
};
/** The same with the public client: PKCE and no secret. */
export const publicClientEnv: Env = { ...oidcEnv, OIDC_CLIENT_ID: CLIENTS.public.id, ...{ OIDC_CLIENT_SECRET: "" } };
/** The same against the rogue provider, whose ID tokens a test may have forged. */
export const rogueEnv: Env = { ...oidcEnv, OIDC_ISSUER: env.TEST_ROGUE_ISSUER };

export interface WorkerOptions {
  /** The service's origin as the browser sees it. Default http://localhost (no Secure cookies). */
  base?: string;
  /** Waits for the request's background work (waitUntil) before answering. */
  settle?: boolean;
}

export type Worker = (path: string, init?: RequestInit) => Promise<Response>;

/** The Worker's app under `deployment`, called as a browser at `base` would. */
export function worker(deployment: Env, options: WorkerOptions = {}): Worker {
  const app = createApp();
  const base = options.base ?? "http://localhost";
  return async (path, init = {}) => {
    const context = createExecutionContext();
    const response = await app.fetch(new Request(new URL(path, base), init), deployment, context);
    if (options.settle) await waitOnExecutionContext(context);
    return response;
  };
}

/** A Set-Cookie line parsed: its value and attributes (names lower-cased; flags are `true`). */
export interface SetCookie {
  value: string;
  attributes: Record<string, string | true>;
}

export function setCookie(response: Response, name: string): SetCookie | undefined {
  for (const line of response.headers.getSetCookie()) {
    const [pair = "", ...rest] = line.split(";");
    const at = pair.indexOf("=");
    if (pair.slice(0, at).trim() !== name) continue;
    const attributes: Record<string, string | true> = {};
    for (const attribute of rest) {
      const [key = "", ...value] = attribute.trim().split("=");
      attributes[key.toLowerCase()] = value.length > 0 ? value.join("=") : true;
    }
    return { value: pair.slice(at + 1), attributes };
  }
  return undefined;
}

/**
 * Follows the provider's redirects (its login page, then back) with a cookie jar, until the browser
 * would be sent to `callbackPrefix`; returns that URL.
 */
export async function throughProvider(authorizeUrl: string, callbackPrefix: string): Promise<string> {
  const jar = new Map<string, string>();
  let url = authorizeUrl;
  for (let hop = 0; hop < 12; hop++) {
    if (url.startsWith(callbackPrefix)) return url;
    const cookie = [...jar].map(([name, value]) => `${name}=${value}`).join("; ");
    const response = await fetch(url, { redirect: "manual", headers: cookie ? { cookie } : {} });
    for (const line of response.headers.getSetCookie()) {
      const pair = line.split(";")[0] ?? "";
      jar.set(pair.slice(0, pair.indexOf("=")).trim(), pair.slice(pair.indexOf("=") + 1));
    }
    const location = response.headers.get("location");
    const body = await response.text();
    if (!location) throw new Error(`the provider stopped at ${url} with ${response.status}: ${body.slice(0, 300)}`);
    url = new URL(location, url).href;
  }
  throw new Error("the provider redirected too many times");
}

export interface SignInOptions {
  returnTo?: string;
  /** Extra parameters on the authorization request (the rogue provider's `forge`). */
  authorize?: Record<string, string>;
  base?: string;
}

export interface SignIn {
  /** GET /auth/login's answer (302 to the provider). */
  start: Response;
  /** The provider's authorization request, as the Worker built it. */
  authorizeUrl: URL;
  /** The sealed transaction cookie /auth/login set. */
  transaction: string;
  /** Where the provider sent the browser back. */
  callbackUrl: URL;
  /** GET /auth/callback's answer. */
  response: Response;
  /** The aas_session cookie it set, if any. */
  session: string | undefined;
}

/** Signs `login` in: /auth/login, the provider (which logs `login_hint` in), then /auth/callback. */
export async function signIn(app: Worker, login: AccountLogin, options: SignInOptions = {}): Promise<SignIn> {
  const query = options.returnTo === undefined ? "" : `?returnTo=${encodeURIComponent(options.returnTo)}`;
  const start = await app(`/auth/login${query}`);
  expect(start.status, await start.clone().text()).toBe(302);
  const transaction = setCookie(start, "aas_signin")?.value ?? "";
  const authorizeUrl = new URL(start.headers.get("location") ?? "");
  const request = new URL(authorizeUrl);
  request.searchParams.set("login_hint", login);
  for (const [name, value] of Object.entries(options.authorize ?? {})) request.searchParams.set(name, value);
  const callbackUrl = new URL(
    await throughProvider(request.href, `${options.base ?? "http://localhost"}/auth/callback`),
  );
  const response = await app(`${callbackUrl.pathname}${callbackUrl.search}`, {
    headers: { cookie: `aas_signin=${transaction}` },
  });
  const session = setCookie(response, "aas_session")?.value;
  return { start, authorizeUrl, transaction, callbackUrl, response, session: session || undefined };
}

/** Signs in and returns the session cookie, failing the test when the sign-in did not succeed. */
export async function sessionFor(app: Worker, login: AccountLogin): Promise<string> {
  const { response, session } = await signIn(app, login);
  expect(response.status, await response.clone().text()).toBe(302);
  expect(session).toBeTruthy();
  return session as string;
}

/** Headers of a same-origin browser request carrying the session cookie. */
export const withSession = (session: string, origin: string | null = "http://localhost"): Record<string, string> => ({
  cookie: `aas_session=${session}`,
  ...(origin === null ? {} : { origin }),
});
