// Who is calling: the user id, the profile claims a token or an ID token carried, and the admin rule (ADMINS).

/** The profile claims kept for a user (docs/api.md, "Authentication"); each only when the token had it. */
export interface ProfileClaims {
  email?: string;
  name?: string;
  /** The token's `email_verified`, only when it is a boolean. */
  emailVerified?: boolean;
}

/** How the request was authenticated, and what is known of the caller (`c.var.auth`). */
export interface Authentication extends ProfileClaims {
  kind: "bearer" | "cookie" | "stream";
  isAdmin: boolean;
}

const MAX_EMAIL = 320;
const MAX_NAME = 256;

const text = (value: unknown, max: number): string | undefined =>
  typeof value === "string" && value.trim().length > 0 && value.length <= max ? value.trim() : undefined;

/** The `email`, `name` and `email_verified` claims of a verified token, dropping any that are malformed. */
export function profileFromClaims(claims: Record<string, unknown>): ProfileClaims {
  const profile: ProfileClaims = {};
  const email = text(claims.email, MAX_EMAIL);
  if (email?.includes("@")) profile.email = email;
  const name = text(claims.name, MAX_NAME);
  if (name) profile.name = name;
  if (typeof claims.email_verified === "boolean") profile.emailVerified = claims.email_verified;
  return profile;
}

/** ADMINS parsed: user ids as given, emails lower-cased (an entry may be either; both are compared). */
export interface AdminList {
  ids: ReadonlySet<string>;
  emails: ReadonlySet<string>;
}

export function parseAdmins(raw: string | undefined): AdminList {
  const entries = (raw ?? "")
    .split(",")
    .map((entry) => entry.trim())
    .filter(Boolean);
  return {
    ids: new Set(entries),
    emails: new Set(entries.filter((entry) => entry.includes("@")).map((entry) => entry.toLowerCase())),
  };
}

/**
 * An administrator is listed by user id, or by an email the token says is verified: an unverified
 * email is whatever the user typed at some provider, so it proves nothing.
 */
export function isAdmin(admins: AdminList, userId: string, profile: ProfileClaims): boolean {
  if (admins.ids.has(userId)) return true;
  return (
    profile.emailVerified === true && profile.email !== undefined && admins.emails.has(profile.email.toLowerCase())
  );
}
