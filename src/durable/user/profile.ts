// What a user's tokens said about them (email, name, email_verified), kept in their object so reports can
// name people. Written only when something changed.
import type { ProfileClaims } from "../../lib/identity";

/** The stored profile; `updatedAt` is when a claim last changed (epoch ms). */
export interface Profile {
  email: string | null;
  name: string | null;
  emailVerified: boolean | null;
  updatedAt: number;
}

interface ProfileRow extends Record<string, SqlStorageValue> {
  email: string | null;
  name: string | null;
  email_verified: number | null;
  updated_at: number;
}

/** The one-row profile table. Like every module beside it, it owns its table and creates it itself. */
export class Profiles {
  constructor(
    private readonly sql: SqlStorage,
    private readonly now: () => number = Date.now,
  ) {
    sql.exec(
      "CREATE TABLE IF NOT EXISTS profile (id INTEGER PRIMARY KEY CHECK (id = 1), email TEXT, name TEXT, email_verified INTEGER, updated_at INTEGER NOT NULL)",
    );
  }

  get(): Profile | null {
    const row = this.sql.exec<ProfileRow>("SELECT email, name, email_verified, updated_at FROM profile").toArray()[0];
    if (!row) return null;
    return {
      email: row.email,
      name: row.name,
      emailVerified: row.email_verified === null ? null : row.email_verified === 1,
      updatedAt: row.updated_at,
    };
  }

  /**
   * Records the claims a token carried. A claim the token did not carry keeps its stored value (a
   * bearer token without `name` does not erase the name the ID token gave), except that a new email
   * never inherits the old one's verification. Returns whether anything changed.
   */
  record(claims: ProfileClaims): boolean {
    const current = this.get();
    const email = claims.email ?? current?.email ?? null;
    const sameEmail = current !== null && current.email === email;
    const next = {
      email,
      name: claims.name ?? current?.name ?? null,
      emailVerified: claims.emailVerified ?? (sameEmail ? current.emailVerified : null),
    };
    if (
      current &&
      current.email === next.email &&
      current.name === next.name &&
      current.emailVerified === next.emailVerified
    )
      return false;
    this.sql.exec(
      "INSERT INTO profile (id, email, name, email_verified, updated_at) VALUES (1, ?, ?, ?, ?) " +
        "ON CONFLICT (id) DO UPDATE SET email = excluded.email, name = excluded.name, " +
        "email_verified = excluded.email_verified, updated_at = excluded.updated_at",
      next.email,
      next.name,
      next.emailVerified === null ? null : next.emailVerified ? 1 : 0,
      this.now(),
    );
    return true;
  }
}
