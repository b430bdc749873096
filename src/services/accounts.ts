// Sign-in sessions and profiles, kept in each user's object (UserAccount; D1 gets only a copy of the profile
// for reports): open one at sign-in, resume it from the cookie (one object call), end it at sign-out; bearer
// profiles in the background.
import type { UserAccount } from "../durable/user-account";
import type { Config } from "../lib/config";
import { AppError } from "../lib/errors";
import type { ProfileClaims } from "../lib/identity";
import { describeError, log } from "../lib/log";
import { signSessionToken, verifySessionToken } from "../lib/session-token";

/** The user's own object. */
export const userAccount = (env: Env, userId: string): DurableObjectStub<UserAccount> =>
  env.USER_ACCOUNT.get(env.USER_ACCOUNT.idFromName(userId));

/** Opens a session in the user's object and returns the cookie value that names it. */
export async function openSession(env: Env, config: Config, userId: string, profile: ProfileClaims): Promise<string> {
  const session = await userAccount(env, userId).openSession({ userId, ttlSeconds: config.sessionTtlSeconds, profile });
  return signSessionToken(config.jwtSecret, {
    sub: userId,
    sid: session.sid,
    exp: Math.floor(session.expiresAt / 1000),
  });
}

/** The user a session cookie names, with their profile, when the session is live; else `unauthorized`. */
export async function resumeSession(
  env: Env,
  config: Config,
  cookie: string,
): Promise<{ userId: string; profile: ProfileClaims }> {
  const claims = await verifySessionToken(config.jwtSecret, cookie);
  const profile = await userAccount(env, claims.sub).checkSession(claims.sid);
  if (!profile) throw new AppError("unauthorized", "Session ended: sign in again");
  return { userId: claims.sub, profile };
}

/** Revokes the session a cookie names; a cookie that is not a valid session has nothing to revoke. */
export async function endSession(env: Env, config: Config, cookie: string | undefined): Promise<void> {
  if (!cookie) return;
  const claims = await verifySessionToken(config.jwtSecret, cookie).catch(() => null);
  if (claims) await userAccount(env, claims.sub).revokeSession(claims.sid);
}

const MAX_REMEMBERED = 1000;
/** user + claims already sent to the user's object by this isolate (oldest first, bounded). */
const remembered = new Set<string>();

/**
 * Keeps what a bearer token says about its user (email, name) in their object, in the background and
 * at most once per isolate per user and claims, so an authenticated request costs no object call.
 */
export function rememberProfile(
  env: Env,
  userId: string,
  profile: ProfileClaims,
  waitUntil: (promise: Promise<unknown>) => void,
): void {
  if (profile.email === undefined && profile.name === undefined) return;
  const key = JSON.stringify([userId, profile.email, profile.name, profile.emailVerified]);
  if (remembered.has(key)) return;
  if (remembered.size >= MAX_REMEMBERED) remembered.delete(remembered.values().next().value as string);
  remembered.add(key);
  waitUntil(
    userAccount(env, userId)
      .recordProfile(userId, profile)
      .catch((error: unknown) => {
        // Not remembered, so the next request tries again.
        remembered.delete(key);
        log("warn", "could not record a user's profile", { userId, error: describeError(error) });
      }),
  );
}
