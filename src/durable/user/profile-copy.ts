// Keeps D1's copy of the user's profile (user_profiles, which reports join to name people) current: the
// account writes it in the background after the profile changes, and again on a later call when a write
// failed or predates this module (so no report waits for the next change of a name).
import { createDb } from "../../db/client";
import { saveUserProfile } from "../../db/user-profiles";
import { describeError, log } from "../../lib/log";
import type { Profile } from "./profile";

interface CopyRow extends Record<string, SqlStorageValue> {
  updated_at: number;
}

/** The one-row record of which version of the profile D1 holds. Owns its table and creates it itself. */
export class ProfileCopy {
  /** The version being written now, so overlapping calls write it once. */
  private writing: number | null = null;

  constructor(
    private readonly sql: SqlStorage,
    private readonly d1: D1Database,
  ) {
    sql.exec(
      "CREATE TABLE IF NOT EXISTS profile_copy (id INTEGER PRIMARY KEY CHECK (id = 1), updated_at INTEGER NOT NULL)",
    );
  }

  /** Whether D1 holds this version of the profile (its `updatedAt`). */
  isCurrent(updatedAt: number): boolean {
    const row = this.sql.exec<CopyRow>("SELECT updated_at FROM profile_copy").toArray()[0];
    return row?.updated_at === updatedAt;
  }

  /**
   * Writes `profile` to D1 unless D1 holds it already; returns the write for the caller's waitUntil (null:
   * nothing to do). Never throws: a failure is logged, and the next call for this user tries again.
   */
  sync(userId: string, profile: Profile | null): Promise<void> | null {
    if (!profile || this.writing === profile.updatedAt || this.isCurrent(profile.updatedAt)) return null;
    const version = profile.updatedAt;
    this.writing = version;
    const copy = { userId, email: profile.email, name: profile.name, updatedAt: version };
    return saveUserProfile(createDb(this.d1), copy)
      .then(() => {
        this.sql.exec(
          "INSERT INTO profile_copy (id, updated_at) VALUES (1, ?) ON CONFLICT (id) DO UPDATE SET updated_at = excluded.updated_at",
          version,
        );
      })
      .catch((error: unknown) => {
        // Drizzle's error quotes the statement's parameters (the email and name): log the driver's own.
        const cause = error instanceof Error && error.cause !== undefined ? error.cause : error;
        log("warn", "could not copy a user's profile to D1", { userId, error: describeError(cause) });
      })
      .finally(() => {
        if (this.writing === version) this.writing = null;
      });
  }
}
