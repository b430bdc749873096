// Sign-in with the school's OpenID provider, end to end at the wire: the Worker and a real oidc-provider on
// loopback, the redirect dance followed by hand; the session cookie then authenticates the API until sign-out.
import { describe, expect, it } from "vitest";
import { api } from "../helpers/api";
import { tokenFor } from "../helpers/auth";
import { oidcEnv, publicClientEnv, sessionFor, setCookie, signIn, withSession, worker } from "../helpers/oidc";
import { readSse, toEvents } from "../helpers/sse";
import { lessonPlanner } from "../helpers/tools";

const app = worker(oidcEnv);

describe("GET /auth/login", () => {
  it("redirects to the provider with an authorization code request, PKCE S256, state and nonce", async () => {
    const { authorizeUrl, start } = await signIn(app, "oidc-bob");
    const params = authorizeUrl.searchParams;
    expect(`${authorizeUrl.origin}${authorizeUrl.pathname}`).toBe(`${oidcEnv.OIDC_ISSUER}/auth`);
    expect(params.get("response_type")).toBe("code");
    expect(params.get("client_id")).toBe("aas-web");
    expect(params.get("redirect_uri")).toBe("http://localhost/auth/callback");
    expect(params.get("scope")?.split(" ")).toEqual(expect.arrayContaining(["openid", "email", "profile"]));
    expect(params.get("code_challenge_method")).toBe("S256");
    expect(params.get("code_challenge")).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(params.get("state")?.length).toBeGreaterThanOrEqual(22);
    expect(params.get("nonce")?.length).toBeGreaterThanOrEqual(22);
    expect(start.headers.get("Cache-Control")).toBe("no-store");
  });

  it("keeps the transaction in a short-lived HttpOnly cookie that is encrypted (no state or nonce readable)", async () => {
    const { start, authorizeUrl } = await signIn(app, "oidc-bob");
    const cookie = setCookie(start, "aas_signin");
    expect(cookie?.attributes).toMatchObject({ httponly: true, samesite: "Lax", path: "/auth", "max-age": "600" });
    expect(cookie?.attributes.secure).toBeUndefined();
    const plain = atob((cookie?.value.split(".")[1] ?? "").replace(/-/g, "+").replace(/_/g, "/"));
    expect(cookie?.value.split(".")).toHaveLength(5); // a JWE in compact form
    for (const secret of ["state", "nonce"]) expect(cookie?.value).not.toContain(authorizeUrl.searchParams.get(secret));
    expect(plain).not.toContain(authorizeUrl.searchParams.get("state"));
  });

  it("asks the provider for its account chooser when prompt=select_account (the refusal page's link), nothing else", async () => {
    const chooser = await app("/auth/login?prompt=select_account");
    expect(new URL(chooser.headers.get("Location") ?? "").searchParams.get("prompt")).toBe("select_account");
    expect((await app("/auth/login?prompt=none")).status).toBe(400);
    const plain = await app("/auth/login");
    expect(new URL(plain.headers.get("Location") ?? "").searchParams.has("prompt")).toBe(false);
  });

  it("answers a clear 404 when sign-in is not configured, and says so at /auth/config", async () => {
    const response = await api("/auth/login");
    expect(response.status).toBe(404);
    expect(((await response.json()) as { error: { message: string } }).error.message).toMatch(/OIDC_ISSUER/);
    expect(await (await api("/auth/config")).json()).toEqual({ oidc: false });
    expect(await (await app("/auth/config")).json()).toEqual({ oidc: true });
  });
});

describe("GET /auth/callback", () => {
  it("sets aas_session (HttpOnly, SameSite=Lax, Path=/, Max-Age = SESSION_TTL_S, not Secure on http://localhost) and returns", async () => {
    const { response } = await signIn(app, "oidc-alice", { returnTo: "/#/history" });
    expect(response.status).toBe(302);
    expect(response.headers.get("Location")).toBe("/#/history");
    const session = setCookie(response, "aas_session");
    expect(session?.attributes).toMatchObject({ httponly: true, samesite: "Lax", path: "/", "max-age": "3600" });
    expect(session?.attributes.secure).toBeUndefined();
    // The transaction is single-use: the callback clears it.
    expect(setCookie(response, "aas_signin")?.attributes["max-age"]).toBe("0");
  });

  it("marks both cookies Secure when the service is not plain-http loopback", async () => {
    const https = worker(oidcEnv, { base: "https://aas.example.edu" });
    const { start, response } = await signIn(https, "oidc-alice", { base: "https://aas.example.edu" });
    expect(setCookie(start, "aas_signin")?.attributes.secure).toBe(true);
    expect(response.status).toBe(302);
    expect(setCookie(response, "aas_session")?.attributes.secure).toBe(true);
  });

  it("signs in with a public client too (PKCE, no client secret)", async () => {
    const { response, session } = await signIn(worker(publicClientEnv), "oidc-bob");
    expect(response.status).toBe(302);
    expect(session).toBeTruthy();
  });

  it("admits an account by Google's hd and one by an allowed Entra tenant", async () => {
    for (const login of ["oidc-hana", "oidc-tess"] as const) {
      const { response, session } = await signIn(app, login);
      expect(response.status, login).toBe(302);
      expect(session, login).toBeTruthy();
    }
  });
});

describe("the session cookie", () => {
  it("GET /auth/me names the user, with email, name and the admin flag", async () => {
    const alice = await sessionFor(app, "oidc-alice");
    expect(await (await app("/auth/me", { headers: withSession(alice, null) })).json()).toEqual({
      userId: "oidc-alice",
      email: "alice@school.example.edu",
      name: "Alice Teacher",
      isAdmin: true,
    });
    const bob = await sessionFor(app, "oidc-bob");
    expect(await (await app("/auth/me", { headers: withSession(bob, null) })).json()).toMatchObject({
      userId: "oidc-bob",
      isAdmin: false,
    });
    expect((await app("/auth/me")).status).toBe(401);
  });

  it("runs a tool: a tool saved, an execution started and its events followed, all with the cookie", async () => {
    const session = await sessionFor(app, "oidc-bob");
    const saved = await app("/api/tools", {
      method: "POST",
      headers: { ...withSession(session), "Content-Type": "application/json" },
      body: JSON.stringify(lessonPlanner("demo")),
    });
    expect(saved.status).toBe(201);
    const tool = (await saved.json()) as { id: string };
    const created = await app("/api/executions", {
      method: "POST",
      // A page listed in CORS_ORIGINS may use the cookie too.
      headers: { ...withSession(session, "https://app.example.edu"), "Content-Type": "application/json" },
      body: JSON.stringify({ toolId: tool.id, inputs: { topic: "tides" } }),
    });
    expect(created.status).toBe(201);
    const { id } = (await created.json()) as { id: string };
    const stream = await readSse(await app(`/api/executions/${id}/events`, { headers: withSession(session, null) }));
    expect(stream.ended).toBe(true);
    expect(toEvents(stream.messages).at(-1)?.type).toBe("execution.completed");
    const record = await app(`/api/executions/${id}`, { headers: withSession(session, null) });
    expect(((await record.json()) as { status: string }).status).toBe("completed");
  });

  it("POST /auth/logout clears it and revokes the session: the same cookie replayed is 401", async () => {
    const session = await sessionFor(app, "oidc-bob");
    expect((await app("/api/tools", { headers: withSession(session, null) })).status).toBe(200);
    const out = await app("/auth/logout", { method: "POST", headers: withSession(session) });
    expect(out.status).toBe(204);
    expect(setCookie(out, "aas_session")?.attributes["max-age"]).toBe("0");
    const replayed = await app("/api/tools", { headers: withSession(session, null) });
    expect(replayed.status).toBe(401);
    expect(((await replayed.json()) as { error: { message: string } }).error.message).toMatch(/sign in again/);
    expect((await app("/auth/me", { headers: withSession(session, null) })).status).toBe(401);
  });

  it("gives way to a Bearer token sent with it", async () => {
    const session = await sessionFor(app, "oidc-alice");
    const me = await app("/auth/me", {
      headers: { ...withSession(session, null), Authorization: `Bearer ${await tokenFor("bearer-carol")}` },
    });
    expect(((await me.json()) as { userId: string }).userId).toBe("bearer-carol");
  });
});
