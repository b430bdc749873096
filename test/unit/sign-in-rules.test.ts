// The pure rules behind sign-in: where a sign-in may return, who may sign in, who is an administrator,
// which origins may use the cookie, and how the OIDC vars are read.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { DEFAULTS, getConfig } from "../../src/lib/config";
import { isAdmin, parseAdmins, profileFromClaims } from "../../src/lib/identity";
import { originAllowed } from "../../src/lib/origin";
import { safeReturnTo } from "../../src/lib/return-to";
import { signInRefusal } from "../../src/lib/sign-in-policy";

describe("safeReturnTo", () => {
  it.each([
    ["/", "/"],
    ["/#/history", "/#/history"],
    ["/#/tools/abc/run?from=x", "/#/tools/abc/run?from=x"],
    ["/docs?x=1", "/docs?x=1"],
    ["/a/../b", "/b"],
  ])("keeps the same-origin path %j", (raw, expected) => {
    expect(safeReturnTo(raw)).toBe(expected);
  });

  it.each([
    "//evil.example",
    "///evil.example",
    "/\\evil.example",
    "\\\\evil.example",
    "/\t/evil.example",
    "/\n/evil.example",
    "https://evil.example/",
    "javascript:alert(1)",
    "evil.example",
    "",
    `/${"a".repeat(2100)}`,
  ])("sends %j to /", (raw) => {
    expect(safeReturnTo(raw)).toBe("/");
  });

  it("sends a missing returnTo to /", () => {
    expect(safeReturnTo(undefined)).toBe("/");
    expect(safeReturnTo(null)).toBe("/");
  });
});

describe("signInRefusal", () => {
  const rules = { allowedDomains: ["school.example.edu"], allowedTenants: ["tenant-a"] };
  it("admits anyone the provider signs in when no rule is set", () => {
    expect(signInRefusal({ allowedDomains: [], allowedTenants: [] }, { email: "x@anywhere.org" })).toBeNull();
  });

  it("admits a verified email in an allowed domain (any case), Google's hd, or an allowed tenant", () => {
    expect(signInRefusal(rules, { email: "a@School.Example.EDU", email_verified: true })).toBeNull();
    expect(
      signInRefusal(rules, { email: "a@alias.example.edu", email_verified: true, hd: "school.example.edu" }),
    ).toBeNull();
    expect(signInRefusal(rules, { email: "a@partner.net", tid: "TENANT-A" })).toBeNull();
  });

  it("refuses an unverified or absent verification, a subdomain, another tenant, and no claims at all", () => {
    expect(signInRefusal(rules, { email: "a@school.example.edu", email_verified: false })).toMatch(/not verified/);
    expect(signInRefusal(rules, { email: "a@school.example.edu" })).toMatch(/not verified/);
    expect(signInRefusal(rules, { email: "a@sub.school.example.edu", email_verified: true })).toMatch(
      /not from a school/,
    );
    expect(signInRefusal(rules, { email: "a@partner.net", tid: "tenant-b" })).toMatch(/a@partner\.net is not from/);
    expect(signInRefusal(rules, {})).toMatch(/^This account is not from/);
  });
});

describe("ADMINS", () => {
  const admins = parseAdmins(" root , Boss@School.example.edu,, ");
  it("matches a user id exactly, and an email only when verified (case-insensitive)", () => {
    expect(isAdmin(admins, "root", {})).toBe(true);
    expect(isAdmin(admins, "Root", {})).toBe(false);
    expect(isAdmin(admins, "u1", { email: "boss@school.example.edu", emailVerified: true })).toBe(true);
    expect(isAdmin(admins, "u1", { email: "boss@school.example.edu", emailVerified: false })).toBe(false);
    expect(isAdmin(admins, "u1", { email: "boss@school.example.edu" })).toBe(false);
    expect(isAdmin(parseAdmins(""), "root", {})).toBe(false);
  });

  it("takes only well-formed profile claims from a token", () => {
    expect(profileFromClaims({ email: "a@b.c", name: " Ann ", email_verified: true })).toEqual({
      email: "a@b.c",
      name: "Ann",
      emailVerified: true,
    });
    expect(profileFromClaims({ email: "not-an-email", name: 7, email_verified: "true" })).toEqual({});
    expect(profileFromClaims({ name: "x".repeat(300) })).toEqual({});
  });
});

describe("originAllowed", () => {
  it("takes the service's own origin and CORS_ORIGINS by name; never none, null or *", () => {
    const url = "https://aas.example.edu/api/tools";
    expect(originAllowed(url, "https://aas.example.edu", [])).toBe(true);
    expect(originAllowed(url, "https://app.example.edu", ["https://app.example.edu"])).toBe(true);
    expect(originAllowed(url, "https://evil.example", ["*"])).toBe(false);
    expect(originAllowed(url, undefined, [])).toBe(false);
    expect(originAllowed(url, "null", ["null"])).toBe(false);
    expect(originAllowed(url, "http://aas.example.edu", [])).toBe(false);
  });
});

describe("getConfig: sign-in", () => {
  it("has no OIDC until both OIDC_ISSUER and OIDC_CLIENT_ID are set; SESSION_TTL_S defaults to 28800", () => {
    const base = { ...env, OIDC_ISSUER: "", OIDC_CLIENT_ID: "", SESSION_TTL_S: "" } as Env;
    expect(getConfig(base).oidc).toBeUndefined();
    expect(getConfig({ ...base, OIDC_ISSUER: "https://idp" } as Env).oidc).toBeUndefined();
    expect(getConfig(base).sessionTtlSeconds).toBe(DEFAULTS.sessionTtlSeconds);
    expect(DEFAULTS.sessionTtlSeconds).toBe(28_800);
  });

  it("reads the issuer, client, optional secret and the allow-lists (lower-cased)", () => {
    const config = getConfig({
      ...env,
      OIDC_ISSUER: " https://accounts.google.com ",
      OIDC_CLIENT_ID: "client-1",
      OIDC_ALLOWED_DOMAINS: "School.Example.edu, @other.edu",
      OIDC_ALLOWED_TENANTS: "ABC-123",
      SESSION_TTL_S: "600",
      ...{ OIDC_CLIENT_SECRET: "s3cret" },
    } as Env);
    expect(config.oidc).toEqual({
      issuer: "https://accounts.google.com",
      clientId: "client-1",
      clientSecret: "s3cret",
      allowedDomains: ["school.example.edu", "other.edu"],
      allowedTenants: ["abc-123"],
    });
    expect(config.sessionTtlSeconds).toBe(600);
  });
});
