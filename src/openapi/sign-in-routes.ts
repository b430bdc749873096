// The /auth routes (sign-in with the school's OpenID provider), described for the API reference.
import { loginQuery } from "../schemas/api";
import type { RouteDoc } from "./route-doc";

export const SIGN_IN_ROUTES: RouteDoc[] = [
  {
    method: "get",
    path: "/auth/config",
    tag: "Sign-in",
    summary: "Whether sign-in with an OpenID provider is configured: `{oidc}`",
    auth: "none",
    responses: { 200: "`{oidc: boolean}`" },
  },
  {
    method: "get",
    path: "/auth/login",
    tag: "Sign-in",
    summary: "Starts a sign-in: redirects the browser to the OpenID provider",
    description:
      "Authorization code with PKCE (S256), `state` and `nonce`; the transaction is kept in a short-lived encrypted cookie. `returnTo` must be a path on this service; anything else returns to `/`.",
    auth: "none",
    query: loginQuery,
    responses: { 302: "To the provider", 404: "Sign-in is not configured (OIDC_ISSUER, OIDC_CLIENT_ID)" },
  },
  {
    method: "get",
    path: "/auth/callback",
    tag: "Sign-in",
    summary: "Where the provider sends the browser back; sets the `aas_session` cookie",
    description:
      "Checks the state, exchanges the code, verifies the ID token (signature against the provider's JWKS, issuer, audience, nonce, expiry) and OIDC_ALLOWED_DOMAINS / OIDC_ALLOWED_TENANTS. A refusal is an HTML page that says why, with a link to sign in again, and sets no session.",
    auth: "none",
    responses: {
      302: "Signed in: to `returnTo`",
      400: "HTML page: wrong or expired state, or a refused code",
      401: "HTML page: the ID token was not accepted",
      403: "HTML page: an account outside the allowed domains or tenants",
    },
  },
  {
    method: "post",
    path: "/auth/logout",
    tag: "Sign-in",
    summary: "Signs out: clears the cookie and revokes its session (the same cookie is then refused)",
    auth: "none",
    responses: { 204: "Signed out", 403: "A session cookie without an allowed Origin" },
  },
  {
    method: "get",
    path: "/auth/me",
    tag: "Sign-in",
    summary: "The signed-in user: `{userId, email?, name?, isAdmin}`",
    auth: "bearer",
    responses: { 200: "`{userId, email?, name?, isAdmin}`" },
  },
];
