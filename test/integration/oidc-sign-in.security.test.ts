// Every way a sign-in is refused, at the wire: a forged or replayed answer, ID tokens a rogue provider forged,
// accounts outside the allowed domains and tenants, open redirects; and the cookie's Origin rule.
import { describe, expect, it } from "vitest";
import { tokenFor } from "../helpers/auth";
import { oidcEnv, rogueEnv, sessionFor, setCookie, signIn, type Worker, withSession, worker } from "../helpers/oidc";

const app = worker(oidcEnv);
const rogue = worker(rogueEnv);

/** A refusal: an HTML page with the reason and a way to sign in again, and no session. */
async function expectRefusalPage(response: Response, status: number, reason: RegExp): Promise<string> {
  expect(response.status).toBe(status);
  expect(response.headers.get("Content-Type")).toMatch(/^text\/html/);
  expect(setCookie(response, "aas_session")).toBeUndefined();
  const page = await response.text();
  expect(page).toMatch(reason);
  expect(page).toContain('href="/auth/login?returnTo=');
  return page;
}

/** The callback of a sign-in that went through the provider, replayed with changes. */
async function callbackWith(
  target: Worker,
  change: (url: URL) => void,
  transaction?: (sealed: string) => string | undefined,
) {
  const { callbackUrl, transaction: sealed } = await signIn(target, "oidc-bob");
  const url = new URL(callbackUrl);
  change(url);
  const cookie = transaction ? transaction(sealed) : sealed;
  return target(
    `${url.pathname}${url.search}`,
    cookie === undefined ? {} : { headers: { cookie: `aas_signin=${cookie}` } },
  );
}

describe("the provider's answer", () => {
  it("refuses a callback whose state is not the transaction's", async () => {
    const response = await callbackWith(app, (url) => url.searchParams.set("state", "state-of-another-sign-in"));
    await expectRefusalPage(response, 400, /\(state\)/);
  });

  it("refuses a callback without the transaction cookie, or with a tampered one", async () => {
    const missing = await callbackWith(
      app,
      () => {},
      () => undefined,
    );
    await expectRefusalPage(missing, 400, /expired, or was started in another browser or tab/);
    const tampered = await callbackWith(
      app,
      () => {},
      (sealed) => `${sealed.slice(0, -3)}AAA`,
    );
    await expectRefusalPage(tampered, 400, /expired, or was started in another browser or tab/);
  });

  it("refuses a replayed code (the provider answers invalid_grant), even with the transaction cookie kept", async () => {
    const first = await signIn(app, "oidc-bob");
    expect(first.response.status).toBe(302);
    const replay = await app(`${first.callbackUrl.pathname}${first.callbackUrl.search}`, {
      headers: { cookie: `aas_signin=${first.transaction}` },
    });
    await expectRefusalPage(replay, 400, /refused the sign-in code \(invalid_grant\)/);
  });

  it("shows the provider's error on the page as text, never as markup", async () => {
    const response = await callbackWith(app, (url) => {
      url.searchParams.delete("code");
      url.searchParams.set("error", "<script>alert(1)</script>");
    });
    const page = await expectRefusalPage(response, 400, /did not sign you in/);
    expect(page).not.toContain("<script>alert(1)</script>");
    expect(page).toContain("&lt;script&gt;");
  });
});

describe("ID tokens a rogue provider forged", () => {
  it("accepts the rogue's honest ID token (so each refusal below is the forgery's doing)", async () => {
    const { response, session } = await signIn(rogue, "oidc-bob", { authorize: { forge: "honest" } });
    expect(response.status).toBe(302);
    expect(session).toBeTruthy();
  });

  const forgeries: [string, string, RegExp][] = [
    ["wrong-nonce", "a nonce from another sign-in", /not issued for this sign-in \(nonce\)/],
    ["wrong-audience", "another audience", /issued to another application \(audience\)/],
    ["expired", "an expired ID token", /has expired/],
    ["other-key", "a signature by a key the provider does not publish", /signature does not match/],
  ];
  for (const [forge, what, reason] of forgeries) {
    it(`refuses ${what}`, async () => {
      const { response } = await signIn(rogue, "oidc-bob", { authorize: { forge } });
      await expectRefusalPage(response, 401, reason);
    });
  }
});

describe("OIDC_ALLOWED_DOMAINS and OIDC_ALLOWED_TENANTS", () => {
  it("refuses an account outside the allowed domains and tenants, saying why", async () => {
    const { response } = await signIn(app, "oidc-mallory");
    await expectRefusalPage(response, 403, /mallory@elsewhere\.example\.org is not from a school/);
  });

  it("refuses an Entra account from another tenant", async () => {
    const { response } = await signIn(app, "oidc-tina");
    await expectRefusalPage(response, 403, /not from a school or organisation this service accepts/);
  });

  it("refuses an email in an allowed domain that the provider has not verified", async () => {
    const { response } = await signIn(app, "oidc-eve");
    await expectRefusalPage(response, 403, /has not verified the email address eve@school\.example\.edu/);
  });
});

describe("returnTo", () => {
  for (const returnTo of ["//evil.example/", "/\\evil.example", "https://evil.example/", "/\t/evil.example"]) {
    it(`returns to / instead of ${JSON.stringify(returnTo)}`, async () => {
      const { response } = await signIn(app, "oidc-bob", { returnTo });
      expect(response.status).toBe(302);
      expect(response.headers.get("Location")).toBe("/");
    });
  }
});

describe("the session cookie", () => {
  const post = (session: string, headers: Record<string, string>) =>
    app("/api/tools", {
      method: "POST",
      headers: { cookie: `aas_session=${session}`, "Content-Type": "application/json", ...headers },
      body: "{}",
    });

  it("refuses an unsafe request from another origin, or with no Origin, with 403 forbidden", async () => {
    const session = await sessionFor(app, "oidc-bob");
    const refused: Record<string, string>[] = [{ origin: "https://evil.example" }, {}, { origin: "null" }];
    for (const headers of refused) {
      const response = await post(session, headers);
      expect(response.status, JSON.stringify(headers)).toBe(403);
      expect(((await response.json()) as { error: { code: string } }).error.code).toBe("forbidden");
    }
    // The same request from the service's own page reaches the route (an empty tool is a 400).
    expect((await post(session, { origin: "http://localhost" })).status).toBe(400);
    // Reading needs no Origin: CORS keeps other sites from seeing the answer.
    expect((await app("/api/tools", { headers: withSession(session, "https://evil.example") })).status).toBe(200);
  });

  it("refuses a sign-out from another origin", async () => {
    const session = await sessionFor(app, "oidc-bob");
    const response = await app("/auth/logout", {
      method: "POST",
      headers: withSession(session, "https://evil.example"),
    });
    expect(response.status).toBe(403);
    expect((await app("/api/tools", { headers: withSession(session, null) })).status).toBe(200);
  });

  it("is not an access token, and an access token is not a session cookie", async () => {
    const session = await sessionFor(app, "oidc-bob");
    const asBearer = await app("/api/tools", { headers: { Authorization: `Bearer ${session}` } });
    expect(asBearer.status).toBe(401);
    const asCookie = await app("/api/tools", { headers: withSession(await tokenFor("oidc-bob"), null) });
    expect(asCookie.status).toBe(401);
    const forged = `${session.slice(0, session.lastIndexOf(".") + 1)}${"A".repeat(43)}`;
    expect((await app("/api/tools", { headers: withSession(forged, null) })).status).toBe(401);
  });
});
