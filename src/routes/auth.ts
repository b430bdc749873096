// /auth: sign-in with the school's OpenID provider (SPEC §14; docs/api.md, "Authentication"). Public
// except /auth/me. The browser is redirected to the provider and back; nothing but cookies is kept here.
import { type Context, Hono } from "hono";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import { html } from "hono/html";
import type { AppEnv } from "../app-env";
import type { OidcConfig } from "../lib/config";
import { cookieOptions } from "../lib/cookies";
import { AppError } from "../lib/errors";
import { profileFromClaims } from "../lib/identity";
import { describeError, log } from "../lib/log";
import { openTransaction, sealTransaction, TRANSACTION_COOKIE, TRANSACTION_TTL_SECONDS } from "../lib/oidc-transaction";
import { originAllowed } from "../lib/origin";
import { safeReturnTo } from "../lib/return-to";
import { SESSION_COOKIE } from "../lib/session-token";
import { signInRefusal } from "../lib/sign-in-policy";
import { authenticate } from "../middleware/auth";
import { validate } from "../middleware/validator";
import { loginQuery } from "../schemas/api";
import { endSession, openSession } from "../services/accounts";
import { finishSignIn, SignInRefused, startSignIn } from "../services/oidc";

/** The transaction cookie is only ever read by the callback. */
const TRANSACTION_PATH = "/auth";
const MAX_SUB = 256;

function oidcOf(c: Context<AppEnv>): OidcConfig {
  const oidc = c.var.config.oidc;
  if (!oidc)
    throw new AppError(
      "not_found",
      "Sign-in with an identity provider is not configured on this service (OIDC_ISSUER, OIDC_CLIENT_ID)",
    );
  return oidc;
}

const redirectUri = (c: Context<AppEnv>) => `${new URL(c.req.url).origin}/auth/callback`;

/** A page that says why the sign-in did not happen, with a way to try again: never a dead end. */
function refusalPage(c: Context<AppEnv>, refusal: SignInRefused, returnTo = "/"): Response | Promise<Response> {
  log(refusal.status === 502 ? "warn" : "info", "sign-in refused", {
    requestId: c.var.requestId,
    reason: refusal.reason,
    cause: refusal.cause instanceof Error ? refusal.cause.message : undefined,
  });
  // The provider may remember the refused account: let the user choose another one this time.
  const retry = `/auth/login?returnTo=${encodeURIComponent(returnTo)}&prompt=select_account`;
  c.header("Cache-Control", "no-store");
  return c.html(
    html`<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <title>Sign-in did not complete · Assistant Architect</title>
    <link rel="stylesheet" href="/styles.css" />
  </head>
  <body>
    <main id="main">
      <h1>Sign-in did not complete</h1>
      <p class="error" role="alert">${refusal.reason}</p>
      <p><a class="button primary" href="${retry}">Sign in again</a> <a href="/">Back to the start page</a></p>
    </main>
  </body>
</html>`,
    refusal.status,
  );
}

export const authRoutes = new Hono<AppEnv>()
  .get("/config", (c) => c.json({ oidc: c.var.config.oidc !== undefined }))
  .get("/login", validate("query", loginQuery), async (c) => {
    const oidc = oidcOf(c);
    const query = c.req.valid("query");
    const returnTo = safeReturnTo(query.returnTo);
    let start: Awaited<ReturnType<typeof startSignIn>>;
    try {
      start = await startSignIn(oidc, redirectUri(c), returnTo, query.prompt);
    } catch (error) {
      if (error instanceof SignInRefused) return refusalPage(c, error, returnTo);
      throw error;
    }
    setCookie(
      c,
      TRANSACTION_COOKIE,
      await sealTransaction(c.var.config.jwtSecret, start.transaction),
      cookieOptions(c.req.url, TRANSACTION_PATH, TRANSACTION_TTL_SECONDS),
    );
    c.header("Cache-Control", "no-store");
    return c.redirect(start.url, 302);
  })
  .get("/callback", async (c) => {
    const oidc = oidcOf(c);
    const transaction = await openTransaction(c.var.config.jwtSecret, getCookie(c, TRANSACTION_COOKIE));
    // Single use: whatever happens next, this browser's transaction is over.
    deleteCookie(c, TRANSACTION_COOKIE, cookieOptions(c.req.url, TRANSACTION_PATH, 0));
    if (!transaction)
      return refusalPage(
        c,
        new SignInRefused(
          "This sign-in has expired, or was started in another browser or tab. Please sign in again.",
          400,
        ),
      );
    try {
      const claims = await finishSignIn(oidc, new URL(c.req.url), transaction, redirectUri(c));
      const refusal = signInRefusal(oidc, claims);
      if (refusal) throw new SignInRefused(refusal, 403);
      if (claims.sub.length === 0 || claims.sub.length > MAX_SUB)
        throw new SignInRefused("Your provider sent a user id this service cannot use.", 403);
      const session = await openSession(c.env, c.var.config, claims.sub, profileFromClaims(claims));
      setCookie(c, SESSION_COOKIE, session, cookieOptions(c.req.url, "/", c.var.config.sessionTtlSeconds));
    } catch (error) {
      // A browser is on this page: even our own failure answers with a way back, not a JSON dead end.
      const refusal =
        error instanceof SignInRefused
          ? error
          : new SignInRefused("The service could not complete your sign-in. Please try again.", 500, error);
      if (!(error instanceof SignInRefused))
        log("error", "sign-in failed", { requestId: c.var.requestId, error: describeError(error) });
      return refusalPage(c, refusal, transaction.returnTo);
    }
    c.header("Cache-Control", "no-store");
    return c.redirect(safeReturnTo(transaction.returnTo), 302);
  })
  .post("/logout", async (c) => {
    const cookie = getCookie(c, SESSION_COOKIE);
    if (cookie !== undefined && !originAllowed(c.req.url, c.req.header("Origin"), c.var.config.corsOrigins))
      throw new AppError("forbidden", "Sign-out must come from this service's page (Origin)");
    await endSession(c.env, c.var.config, cookie);
    deleteCookie(c, SESSION_COOKIE, cookieOptions(c.req.url, "/", 0));
    return c.body(null, 204);
  })
  .get("/me", authenticate(), (c) => {
    const { email, name, isAdmin } = c.var.auth;
    return c.json({ userId: c.var.userId, ...(email ? { email } : {}), ...(name ? { name } : {}), isAdmin });
  });
