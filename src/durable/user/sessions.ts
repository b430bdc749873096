// A user's sign-in sessions in their object's SQLite: create, check live, revoke. A session ends at its
// expiry or when revoked; ended rows are deleted, so "live" is "a row whose expiry is ahead".

/** One live session. Times are epoch milliseconds. */
export interface SessionRecord {
  sid: string;
  createdAt: number;
  expiresAt: number;
}

/** A fresh session id: 128 random bits, base64url. */
function newSessionId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return btoa(String.fromCharCode(...bytes))
    .replace(/\+/g, "-")
    .replace(/\//g, "_")
    .replace(/=+$/, "");
}

/**
 * The sessions table and what may be done with it. One per object; `now` is the object's clock
 * (tests pass their own). Like every module beside it, it owns its tables and creates them itself.
 */
export class Sessions {
  constructor(
    private readonly sql: SqlStorage,
    private readonly now: () => number = Date.now,
  ) {
    sql.exec(
      "CREATE TABLE IF NOT EXISTS sessions (sid TEXT PRIMARY KEY, created_at INTEGER NOT NULL, expires_at INTEGER NOT NULL)",
    );
  }

  /** Opens a session that lasts `ttlMs`; ended sessions are swept on the way, so the table never grows. */
  create(ttlMs: number): SessionRecord {
    const now = this.now();
    this.sweep(now);
    const record = { sid: newSessionId(), createdAt: now, expiresAt: now + ttlMs };
    this.sql.exec(
      "INSERT INTO sessions (sid, created_at, expires_at) VALUES (?, ?, ?)",
      record.sid,
      record.createdAt,
      record.expiresAt,
    );
    return record;
  }

  /** Whether `sid` is a session of this user that is neither revoked nor past its expiry. */
  isLive(sid: string): boolean {
    return (
      this.sql.exec("SELECT 1 FROM sessions WHERE sid = ? AND expires_at > ?", sid, this.now()).toArray().length > 0
    );
  }

  /** Ends `sid` now; true when it was live. */
  revoke(sid: string): boolean {
    const live = this.isLive(sid);
    this.sql.exec("DELETE FROM sessions WHERE sid = ?", sid);
    return live;
  }

  /** Ends every session of this user ("sign out everywhere"); returns how many were live. */
  revokeAll(): number {
    const live = this.list().length;
    this.sql.exec("DELETE FROM sessions");
    return live;
  }

  /** The live sessions, oldest first. */
  list(): SessionRecord[] {
    return this.sql
      .exec<{ sid: string; created_at: number; expires_at: number }>(
        "SELECT sid, created_at, expires_at FROM sessions WHERE expires_at > ? ORDER BY created_at",
        this.now(),
      )
      .toArray()
      .map((row) => ({ sid: row.sid, createdAt: row.created_at, expiresAt: row.expires_at }));
  }

  private sweep(now: number): void {
    this.sql.exec("DELETE FROM sessions WHERE expires_at <= ?", now);
  }
}
