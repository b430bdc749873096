// Sign-in with the school account in Chromium: the whole redirect dance through a real OpenID provider
// (oidc-provider), the session cookie, a run, sign-out; ended sessions and refusals are never a dead end.
import { SignJWT } from "jose";
import type { Page } from "playwright-core";
import { describe, expect, inject, it } from "vitest";
import type { AccountLogin } from "../oidc-provider/accounts";
import {
  accessibilityProblems,
  base,
  chain,
  createTool,
  devToken,
  newPage,
  panelText,
  runTool,
  useBrowser,
} from "./page-helpers";

useBrowser();

/** From the page's sign-in screen through the provider's login form and back. */
async function signInWithSchool(page: Page, login: AccountLogin): Promise<void> {
  await page.goto(base());
  await page.getByRole("link", { name: "Sign in with your school account" }).click();
  await page.getByRole("heading", { name: "Test provider" }).waitFor();
  await page.getByLabel("Account").selectOption(login);
  await page.getByRole("button", { name: "Continue" }).click();
}

async function sessionCookie(page: Page) {
  return (await page.context().cookies(base())).find((cookie) => cookie.name === "aas_session");
}

describe("sign-in with the school account", () => {
  it("signs in through the provider, shows the user, runs a tool with the cookie, signs out for good", async () => {
    const page = await newPage();
    const name = `School run ${crypto.randomUUID().slice(0, 8)}`;
    await createTool(await devToken("oidc-alice"), { ...chain("demo", "demo", "demo"), name });
    await signInWithSchool(page, "oidc-alice");
    await page.getByRole("heading", { name: "Tools" }).waitFor();
    expect(await page.locator("#signed-in-as").innerText()).toBe("Signed in as Alice Teacher");
    const cookie = await sessionCookie(page);
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: "Lax", path: "/", secure: false });
    expect(cookie?.expires).toBeGreaterThan(Date.now() / 1000 + 28_000);
    // The page holds no token: the cookie signs its API calls in (a POST, so the Origin rule applied).
    expect(await page.evaluate(() => localStorage.getItem("aas.token"))).toBeNull();
    await runTool(page, name, "tides");
    await page.getByRole("status").filter({ hasText: "Completed" }).waitFor({ timeout: 20_000 });
    expect((await panelText(page, "outline")).trim()).toBe("Outline tides");
    await page.getByRole("button", { name: "Sign out" }).click();
    await page.getByRole("heading", { name: "Sign in" }).waitFor();
    expect(await sessionCookie(page)).toBeUndefined();
    const replayed = await fetch(`${base()}/api/tools`, { headers: { cookie: `aas_session=${cookie?.value}` } });
    expect(replayed.status).toBe(401);
    await page.close();
  });

  it("returns to the view the reader was on", async () => {
    const page = await newPage();
    await page.goto(`${base()}/#/history`);
    await page.getByRole("link", { name: "Sign in with your school account" }).click();
    await page.getByLabel("Account").selectOption("oidc-bob");
    await page.getByRole("button", { name: "Continue" }).click();
    await page.getByRole("heading", { name: "History" }).waitFor();
    expect(new URL(page.url()).hash).toBe("#/history");
    await page.close();
  });

  it("a session ended elsewhere goes back to sign-in with the reason, and signing in again works", async () => {
    const page = await newPage();
    await signInWithSchool(page, "oidc-bob");
    await page.getByRole("heading", { name: "Tools" }).waitFor();
    const cookie = await sessionCookie(page);
    // Signed out from another tab: the server revokes the session.
    const out = await fetch(`${base()}/auth/logout`, {
      method: "POST",
      headers: { cookie: `aas_session=${cookie?.value}`, origin: base() },
    });
    expect(out.status).toBe(204);
    await page.getByRole("link", { name: "History" }).click();
    await page.getByRole("heading", { name: "Sign in" }).waitFor();
    expect(await page.locator("#sign-in-notice").innerText()).toMatch(/Your session has ended \(Session ended/);
    // The provider still knows Bob (single sign-on): one click, and he is back where he was.
    await page.getByRole("link", { name: "Sign in with your school account" }).click();
    await page.getByRole("heading", { name: "History" }).waitFor();
    expect(await page.locator("#signed-in-as").innerText()).toBe("Signed in as Bob Staff");
    await page.close();
  });

  it("an expired token goes back to sign-in with the reason instead of an error loop", async () => {
    const page = await newPage();
    const now = Math.floor(Date.now() / 1000);
    const expired = await new SignJWT({ sub: "page-expired" })
      .setProtectedHeader({ alg: "HS256" })
      .setIssuedAt(now - 7200)
      .setExpirationTime(now - 3600)
      .sign(new TextEncoder().encode(inject("pageJwtSecret")));
    await page.goto(base());
    // Once the page has found nobody signed in: its check would otherwise forget a token set meanwhile.
    await page.getByRole("heading", { name: "Sign in" }).waitFor();
    await page.evaluate((token) => localStorage.setItem("aas.token", token), expired);
    await page.reload();
    await page.getByRole("heading", { name: "Sign in" }).waitFor();
    expect(await page.locator("#sign-in-notice").innerText()).toMatch(/Invalid token: expired/);
    expect(await page.evaluate(() => localStorage.getItem("aas.token"))).toBeNull();
    await page.reload();
    await page.getByRole("heading", { name: "Sign in" }).waitFor();
    expect(await page.locator("#sign-in-notice").count()).toBe(0);
    await page.close();
  });

  it("a refused account sees why, gets no session, and can sign in again", async () => {
    const page = await newPage();
    await signInWithSchool(page, "oidc-mallory");
    await page.getByRole("heading", { name: "Sign-in did not complete" }).waitFor();
    expect(await page.getByRole("alert").innerText()).toMatch(/mallory@elsewhere\.example\.org is not from a school/);
    expect(await sessionCookie(page)).toBeUndefined();
    expect(await accessibilityProblems(page)).toEqual([]);
    // The provider remembers Mallory; the link asks it for its account chooser.
    await page.getByRole("link", { name: "Sign in again" }).click();
    await page.getByLabel("Account").selectOption("oidc-alice");
    await page.getByRole("button", { name: "Continue" }).click();
    await page.getByRole("heading", { name: "Tools" }).waitFor();
    await page.close();
  });
});
