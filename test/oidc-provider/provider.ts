// A real OpenID provider on loopback for the tests: panva's oidc-provider with the test accounts and
// clients, and a test-only login page (no password: the account is chosen, or named by `login_hint`).
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { exportJWK, generateKeyPair } from "jose";
import Provider, { interactionPolicy, type KoaContextWithOIDC } from "oidc-provider";
import { ACCOUNTS, type AccountLogin, CLIENTS } from "./accounts.ts";

export interface RunningProvider {
  issuer: string;
  stop: () => Promise<void>;
}

const isLogin = (value: unknown): value is AccountLogin => typeof value === "string" && Object.hasOwn(ACCOUNTS, value);

/** Skips the consent screen: the service is a first-party client of the school's provider. */
async function firstPartyGrant(ctx: KoaContextWithOIDC) {
  const { provider, client, session, result } = ctx.oidc;
  const grantId = result?.consent?.grantId ?? (client && session?.grantIdFor(client.clientId));
  if (grantId) return provider.Grant.find(grantId);
  if (!client || !session?.accountId) return undefined;
  const grant = new provider.Grant({ clientId: client.clientId, accountId: session.accountId });
  grant.addOIDCScope("openid email profile");
  await grant.save();
  return grant;
}

/**
 * `prompt=select_account` (Google's and Entra's account chooser): shows the login form even when the
 * browser already has a session here, so a refused account can be swapped for another.
 */
function policyWithAccountChooser() {
  const { Check, Prompt, base } = interactionPolicy;
  const policy = base();
  const requested = (ctx: KoaContextWithOIDC) =>
    ctx.oidc.promptPending("select_account") ? Check.REQUEST_PROMPT : Check.NO_NEED_TO_PROMPT;
  policy.add(
    new Prompt(
      { name: "select_account", requestable: true },
      new Check("select_account_requested", "the End-User asked to choose an account", requested),
    ),
    0,
  );
  return policy;
}

const htmlText = (text: string) => text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);

function loginPage(uid: string): string {
  const options = Object.values(ACCOUNTS)
    .map((account) => `<option value="${account.sub}">${htmlText(`${account.name} (${account.email})`)}</option>`)
    .join("");
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Test provider sign-in</title></head>
<body><main><h1>Test provider</h1>
<form method="post" action="/interaction/${htmlText(uid)}/login">
<label for="login">Account</label> <select id="login" name="login">${options}</select>
<button type="submit">Continue</button></form></main></body></html>`;
}

async function readForm(req: IncomingMessage): Promise<URLSearchParams> {
  let body = "";
  for await (const chunk of req) body += String(chunk);
  return new URLSearchParams(body);
}

/** GET shows the login form (or logs `login_hint` in at once); POST …/login logs the chosen account in. */
async function interaction(provider: Provider, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const details = await provider.interactionDetails(req, res);
  const login = req.method === "POST" ? (await readForm(req)).get("login") : details.params.login_hint;
  if (isLogin(login)) {
    const result = {
      login: { accountId: login },
      ...(details.prompt.name === "select_account" ? { select_account: {} } : {}),
    };
    await provider.interactionFinished(req, res, result, { mergeWithLastSubmission: false });
    return;
  }
  res.writeHead(200, { "content-type": "text/html; charset=utf-8" }).end(loginPage(details.uid));
}

/** Starts the provider on a free loopback port; `redirectUris` are added to the test clients' registrations. */
export async function startTestProvider(redirectUris: string[]): Promise<RunningProvider> {
  const server: Server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const { privateKey } = await generateKeyPair("RS256", { extractable: true });
  const signingKey = { ...(await exportJWK(privateKey)), kid: "test-provider-key", alg: "RS256", use: "sig" };
  const common = {
    redirect_uris: redirectUris,
    grant_types: ["authorization_code"],
    response_types: ["code" as const],
  };
  const provider = new Provider(issuer, {
    clients: [
      {
        ...common,
        client_id: CLIENTS.confidential.id,
        client_secret: CLIENTS.confidential.secret,
        token_endpoint_auth_method: "client_secret_basic",
      },
      { ...common, client_id: CLIENTS.public.id, token_endpoint_auth_method: "none" },
    ],
    jwks: { keys: [signingKey] },
    cookies: { keys: ["test-provider-cookie-key-0123456789"] },
    claims: { openid: ["sub", "hd", "tid"], email: ["email", "email_verified"], profile: ["name"] },
    // Like Google and Entra: the profile claims travel in the ID token, not only from userinfo.
    conformIdTokenClaims: false,
    features: { devInteractions: { enabled: false } },
    interactions: { policy: policyWithAccountChooser(), url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
    loadExistingGrant: firstPartyGrant,
    ttl: { AuthorizationCode: 60, Interaction: 600, Session: 3600, Grant: 3600, AccessToken: 600, IdToken: 600 },
    findAccount: (_ctx, sub) => {
      if (!isLogin(sub)) return undefined;
      const account = ACCOUNTS[sub];
      return { accountId: sub, claims: () => ({ ...account }) };
    },
  });
  const callback = provider.callback();
  server.on("request", (req: IncomingMessage, res: ServerResponse) => {
    if (req.url?.startsWith("/interaction/")) {
      interaction(provider, req, res).catch((error: unknown) => {
        res.writeHead(500, { "content-type": "text/plain" }).end(String(error));
      });
      return;
    }
    void callback(req, res);
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
