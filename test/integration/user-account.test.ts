// The per-user object: sessions that expire by time or revocation, the profile kept from tokens, and the
// bearer path recording a profile in the background once per isolate (no object call on the request's path).
import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { Profiles } from "../../src/durable/user/profile";
import { Sessions } from "../../src/durable/user/sessions";
import { userAccount } from "../../src/services/accounts";
import { newUser, tokenFor } from "../helpers/auth";
import { worker } from "../helpers/oidc";

const HOUR = 3_600_000;

describe("Sessions (the user's object's SQLite)", () => {
  it("a session is live until its expiry, then not; expired rows are swept when the next opens", async () => {
    await runInDurableObject(userAccount(env, newUser()), (_instance, state) => {
      let now = 1_000_000;
      const sessions = new Sessions(state.storage.sql, () => now);
      const first = sessions.create(HOUR);
      expect(first.expiresAt).toBe(now + HOUR);
      expect(sessions.isLive(first.sid)).toBe(true);
      now += HOUR - 1;
      expect(sessions.isLive(first.sid)).toBe(true);
      now += 1;
      expect(sessions.isLive(first.sid)).toBe(false);
      sessions.create(HOUR);
      const rows = state.storage.sql.exec("SELECT sid FROM sessions").toArray();
      expect(rows.map((row) => row.sid)).not.toContain(first.sid);
    });
  });

  it("revoke ends one session, revokeAll every one; an unknown sid is never live", async () => {
    await runInDurableObject(userAccount(env, newUser()), (_instance, state) => {
      const sessions = new Sessions(state.storage.sql);
      const [a, b, c] = [sessions.create(HOUR), sessions.create(HOUR), sessions.create(HOUR)];
      expect(sessions.revoke(a.sid)).toBe(true);
      expect(sessions.revoke(a.sid)).toBe(false);
      expect(sessions.isLive(a.sid)).toBe(false);
      expect(sessions.isLive(b.sid)).toBe(true);
      expect(sessions.revokeAll()).toBe(2);
      expect([b, c].some((session) => sessions.isLive(session.sid))).toBe(false);
      expect(sessions.isLive("no-such-session")).toBe(false);
    });
  });
});

describe("Profiles", () => {
  it("records claims, keeps the ones a later token lacks, and reports whether anything changed", async () => {
    await runInDurableObject(userAccount(env, newUser()), (_instance, state) => {
      let now = 5;
      const profiles = new Profiles(state.storage.sql, () => now);
      expect(profiles.get()).toBeNull();
      expect(profiles.record({ email: "ann@school.example.edu", name: "Ann", emailVerified: true })).toBe(true);
      now = 6;
      expect(profiles.record({ email: "ann@school.example.edu" })).toBe(false);
      expect(profiles.get()).toEqual({
        email: "ann@school.example.edu",
        name: "Ann",
        emailVerified: true,
        updatedAt: 5,
      });
      expect(profiles.record({ name: "Ann B." })).toBe(true);
      expect(profiles.get()).toMatchObject({ name: "Ann B.", emailVerified: true, updatedAt: 6 });
    });
  });

  it("never carries a verification over to a new email", async () => {
    await runInDurableObject(userAccount(env, newUser()), (_instance, state) => {
      const profiles = new Profiles(state.storage.sql);
      profiles.record({ email: "ann@school.example.edu", emailVerified: true });
      profiles.record({ email: "boss@school.example.edu" });
      expect(profiles.get()).toMatchObject({ email: "boss@school.example.edu", emailVerified: null });
    });
  });
});

describe("UserAccount over RPC", () => {
  it("opens a session with the ID token's profile; checkSession answers the profile while live, null after revoke", async () => {
    const userId = newUser();
    const account = userAccount(env, userId);
    const session = await account.openSession({
      userId,
      ttlSeconds: 60,
      profile: { email: "cy@school.example.edu", name: "Cy", emailVerified: true },
    });
    expect(await account.checkSession(session.sid)).toEqual({
      email: "cy@school.example.edu",
      name: "Cy",
      emailVerified: true,
    });
    expect(await account.revokeSession(session.sid)).toBe(true);
    expect(await account.checkSession(session.sid)).toBeNull();
  });
});

describe("a bearer token's profile claims", () => {
  it("are recorded in the user's object in the background, once per isolate per user and claims", async () => {
    const user = newUser();
    const app = worker(env, { settle: true });
    const token = await tokenFor(user, { email: "dee@school.example.edu", name: "Dee", email_verified: true });
    expect((await app("/api/tools", { headers: { Authorization: `Bearer ${token}` } })).status).toBe(200);
    const account = userAccount(env, user);
    expect(await account.profile()).toMatchObject({
      email: "dee@school.example.edu",
      name: "Dee",
      emailVerified: true,
    });
    // Changed behind the cache's back: the same claims again make no call, so the change stays.
    await account.recordProfile(user, { name: "Dee (renamed elsewhere)" });
    expect((await app("/api/tools", { headers: { Authorization: `Bearer ${token}` } })).status).toBe(200);
    expect(await account.profile()).toMatchObject({ name: "Dee (renamed elsewhere)" });
    // New claims are new: recorded.
    const renamed = await tokenFor(user, { email: "dee@school.example.edu", name: "Dee Two", email_verified: true });
    await app("/api/tools", { headers: { Authorization: `Bearer ${renamed}` } });
    expect(await account.profile()).toMatchObject({ name: "Dee Two" });
  });

  it("a token without email or name records nothing", async () => {
    const user = newUser();
    const app = worker(env, { settle: true });
    await app("/api/tools", { headers: { Authorization: `Bearer ${await tokenFor(user)}` } });
    expect(await userAccount(env, user).profile()).toBeNull();
  });
});
