// /api/admin/* answers administrators only (ADMINS: a user id, or an email the token says is verified);
// everyone else gets exactly the unknown-route 404. The guard is the app's own, in front of a test route.
import { createExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { Hono } from "hono";
import { describe, expect, it } from "vitest";
import type { AppEnv } from "../../src/app-env";
import { requireAdmin } from "../../src/middleware/admin";
import { authenticate } from "../../src/middleware/auth";
import { requestContext } from "../../src/middleware/context";
import { handleError, handleNotFound } from "../../src/middleware/error-handler";
import { tokenFor } from "../helpers/auth";
import { oidcEnv, sessionFor, withSession, worker } from "../helpers/oidc";

/** The guard as app.ts mounts it, with one route behind it. */
const guarded = new Hono<AppEnv>()
  .use(requestContext())
  .use("/api/*", authenticate())
  .use("/api/admin/*", requireAdmin())
  .get("/api/admin/ping", (c) => c.json({ admin: c.var.userId }))
  .notFound(handleNotFound)
  .onError(handleError);

const ping = async (headers: Record<string, string>) =>
  guarded.fetch(new Request("http://localhost/api/admin/ping", { headers }), oidcEnv, createExecutionContext());
const bearer = async (userId: string, claims: Record<string, unknown> = {}) => ({
  Authorization: `Bearer ${await tokenFor(userId, claims)}`,
});

describe("the administrators' guard", () => {
  it("lets an administrator listed by user id through", async () => {
    const response = await ping(await bearer("oidc-hana"));
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ admin: "oidc-hana" });
  });

  it("answers everyone else exactly as a route that does not exist", async () => {
    const refused = await ping(await bearer("teacher-1"));
    expect(refused.status).toBe(404);
    expect(await refused.json()).toEqual({ error: { code: "not_found", message: "No route for GET /api/admin/ping" } });
    // The real app, for a path nothing serves: the same answer.
    const app = worker(oidcEnv);
    const unknown = await app("/api/admin/no-such-route", { headers: await bearer("teacher-1") });
    expect(await unknown.json()).toEqual({
      error: { code: "not_found", message: "No route for GET /api/admin/no-such-route" },
    });
  });

  it("counts an email in ADMINS only when the token says email_verified: true", async () => {
    const email = { email: "alice@school.example.edu" };
    expect((await ping(await bearer("someone-1", { ...email, email_verified: true }))).status).toBe(200);
    expect((await ping(await bearer("someone-2", { ...email, email_verified: false }))).status).toBe(404);
    expect((await ping(await bearer("someone-3", email))).status).toBe(404);
    expect(
      (await ping(await bearer("someone-4", { email: "ALICE@School.Example.edu", email_verified: true }))).status,
    ).toBe(200);
  });

  it("reads the cookie session's verified email: Alice (ADMINS by email) is an admin, Bob is not", async () => {
    const app = worker(oidcEnv);
    expect((await ping(withSession(await sessionFor(app, "oidc-alice"), null))).status).toBe(200);
    expect((await ping(withSession(await sessionFor(app, "oidc-bob"), null))).status).toBe(404);
  });

  it("is answered 401 before anything else without credentials, like every /api path", async () => {
    expect((await ping({})).status).toBe(401);
  });
});

describe("ADMINS in GET /auth/me", () => {
  it("says isAdmin for a bearer token as the guard decides", async () => {
    const app = worker({ ...env, ADMINS: "root-user" });
    const me = async (userId: string) =>
      ((await (await app("/auth/me", { headers: await bearer(userId) })).json()) as { isAdmin: boolean }).isAdmin;
    expect(await me("root-user")).toBe(true);
    expect(await me("plain-user")).toBe(false);
  });
});
