// What a user asked to delete and is not erased yet, in their object's SQLite: single executions
// (DELETE /api/executions/:id) until their content is gone, and "everything created before" a moment
// (DELETE /api/me/data, an admin purge) until its batches have run. Reads ask here first, so a
// deletion hides its executions from the moment it is accepted, whatever is still being erased.

/** Who asked for a deletion, and as what (the audit row it ends with). */
export interface DeletionRequest {
  actor: string;
  action: "user.data_deleted" | "admin.purged";
}

/** What reads of one execution must respect: it is being deleted, or everything before `before` is. */
export interface DeletionView {
  deleted: boolean;
  /** Executions created before this (ms) are deleted; 0: none. */
  before: number;
}

/** A deletion of everything before `before`, still running. */
export interface DataDeletion extends DeletionRequest {
  before: number;
}

/** Whether a read must answer 404 for an execution created at `createdAt`. */
export const isHidden = (view: DeletionView, createdAt: number): boolean => view.deleted || createdAt < view.before;

export class Deletions {
  constructor(private readonly sql: SqlStorage) {
    // A row stays once its execution is erased (`done`): a second DELETE of it is a 404, like any read.
    sql.exec(
      "CREATE TABLE IF NOT EXISTS deletions (id TEXT PRIMARY KEY, actor TEXT NOT NULL, at INTEGER NOT NULL, done INTEGER NOT NULL DEFAULT 0)",
    );
    sql.exec("CREATE INDEX IF NOT EXISTS deletions_queued ON deletions (at) WHERE done = 0");
    sql.exec("CREATE TABLE IF NOT EXISTS deletion_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)");
  }

  /** The user this account is (kept for the work its alarm resumes). */
  owner(): string | null {
    return this.meta("owner");
  }

  rememberOwner(userId: string): void {
    if (this.owner() === null) this.setMeta("owner", userId);
  }

  /** Hides one execution until it is erased. */
  hide(executionId: string, actor: string, at: number): void {
    this.sql.exec("INSERT OR IGNORE INTO deletions (id, actor, at) VALUES (?, ?, ?)", executionId, actor, at);
  }

  /** Its content is gone: the object's tombstone and D1's missing row answer 404 from now on. */
  erased(executionId: string): void {
    this.sql.exec("UPDATE deletions SET done = 1 WHERE id = ?", executionId);
  }

  /** Single deletions not erased yet, oldest first. */
  queued(limit: number): { id: string; actor: string }[] {
    return this.sql
      .exec<{ id: string; actor: string }>("SELECT id, actor FROM deletions WHERE done = 0 ORDER BY at LIMIT ?", limit)
      .toArray();
  }

  view(executionId: string): DeletionView {
    const deleted = this.sql.exec("SELECT 1 FROM deletions WHERE id = ?", executionId).toArray().length > 0;
    return { deleted, before: this.before() };
  }

  /** The executions deleted one by one not erased yet (few: each is erased within its request unless storage fails). */
  hiddenIds(): string[] {
    return this.sql
      .exec<{ id: string }>("SELECT id FROM deletions WHERE done = 0")
      .toArray()
      .map((row) => row.id);
  }

  /** Executions created before this are deleted (0: none). */
  before(): number {
    return Number(this.meta("before") ?? 0);
  }

  /** Everything created before `at` is deleted from now on; its batches run until `finishData`. */
  deleteBefore(at: number, request: DeletionRequest): void {
    this.setMeta("before", String(Math.max(this.before(), at)));
    this.setMeta("data", JSON.stringify({ ...request, before: this.before() } satisfies DataDeletion));
  }

  /** The deletion of everything before a moment still running, if any. */
  dataDeletion(): DataDeletion | null {
    const data = this.meta("data");
    return data ? (JSON.parse(data) as DataDeletion) : null;
  }

  finishData(): void {
    this.sql.exec("DELETE FROM deletion_meta WHERE key = 'data'");
  }

  /** Whether any deletion still has work to do. */
  pending(): boolean {
    return this.dataDeletion() !== null || this.queued(1).length > 0;
  }

  private meta(key: string): string | null {
    const [row] = this.sql.exec<{ value: string }>("SELECT value FROM deletion_meta WHERE key = ?", key).toArray();
    return row?.value ?? null;
  }

  private setMeta(key: string, value: string): void {
    this.sql.exec("INSERT OR REPLACE INTO deletion_meta (key, value) VALUES (?, ?)", key, value);
  }
}
