// One Durable Object per user (idFromName(userId)): their sign-in sessions and profile. Thin on purpose:
// typed RPC methods over the modules in user/, which own the logic and their tables.
import { DurableObject } from "cloudflare:workers";
import type { ProfileClaims } from "../lib/identity";
import { type Profile, Profiles } from "./user/profile";
import { type SessionRecord, Sessions } from "./user/sessions";

export type { Profile } from "./user/profile";
export type { SessionRecord } from "./user/sessions";

/** What opening a session needs: how long it lasts and what the ID token said about the user. */
export interface OpenSessionInput {
  ttlSeconds: number;
  profile: ProfileClaims;
}

const claimsOf = (profile: Profile | null): ProfileClaims => {
  const claims: ProfileClaims = {};
  if (profile?.email) claims.email = profile.email;
  if (profile?.name) claims.name = profile.name;
  if (profile && profile.emailVerified !== null) claims.emailVerified = profile.emailVerified;
  return claims;
};

export class UserAccount extends DurableObject<Env> {
  private readonly sessions: Sessions;
  private readonly profiles: Profiles;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.sessions = new Sessions(ctx.storage.sql);
    this.profiles = new Profiles(ctx.storage.sql);
  }

  /** Signs the user in: records the ID token's profile and opens a session (one call at sign-in). */
  openSession(input: OpenSessionInput): SessionRecord {
    this.profiles.record(input.profile);
    return this.sessions.create(input.ttlSeconds * 1000);
  }

  /** The user's profile claims when `sid` is live; null when it was revoked, has expired or never existed. */
  checkSession(sid: string): ProfileClaims | null {
    return this.sessions.isLive(sid) ? claimsOf(this.profiles.get()) : null;
  }

  /** Signs one session out; true when it was live. */
  revokeSession(sid: string): boolean {
    return this.sessions.revoke(sid);
  }

  /** Signs every session of the user out; how many were live. */
  revokeAllSessions(): number {
    return this.sessions.revokeAll();
  }

  /** Keeps what a bearer token said about the user; true when something changed. */
  recordProfile(profile: ProfileClaims): boolean {
    return this.profiles.record(profile);
  }

  /** The stored profile, for reports; null before any token carried one. */
  profile(): Profile | null {
    return this.profiles.get();
  }
}
