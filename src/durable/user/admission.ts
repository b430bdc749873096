// A user's executions as their account admits and counts them, in their object's SQLite: which are
// live (a lease the run renews), pending (until they expire) or ended; Idempotency-Keys; what each
// holds and spent of the user's daily budget; and the list items D1 has not indexed yet (read your
// writes). Every decision is one synchronous turn of the object, so it holds exactly, whatever races.
// What a request asks and an answer says, and the limits applied, are in admission-limits.ts.
import type { ImportedExecution } from "../../db/account-import";
import type { ExecutionSummary } from "../../db/execution-summary";
import {
  type AdmissionLimits,
  type AdmitRequest,
  type AdmitResult,
  dayStart,
  legacyFingerprint,
  type StartPendingResult,
} from "./admission-limits";

interface RunRow extends Record<string, SqlStorageValue> {
  id: string;
  state: string;
  until: number | null;
  fingerprint: string | null;
}

export class Admission {
  constructor(
    private readonly sql: SqlStorage,
    private readonly now: () => number,
  ) {
    sql.exec(`CREATE TABLE IF NOT EXISTS runs (
      id TEXT PRIMARY KEY,
      created_at INTEGER NOT NULL,
      day INTEGER NOT NULL,
      state TEXT NOT NULL,
      until INTEGER,
      held INTEGER NOT NULL DEFAULT 0,
      cost INTEGER NOT NULL DEFAULT 0,
      idempotency_key TEXT,
      fingerprint TEXT,
      summary TEXT)`);
    sql.exec("CREATE UNIQUE INDEX IF NOT EXISTS runs_key ON runs (idempotency_key) WHERE idempotency_key IS NOT NULL");
    sql.exec("CREATE INDEX IF NOT EXISTS runs_day ON runs (day)");
    sql.exec("CREATE INDEX IF NOT EXISTS runs_created ON runs (created_at) WHERE summary IS NOT NULL");
    sql.exec("CREATE TABLE IF NOT EXISTS admission_meta (key TEXT PRIMARY KEY, value TEXT)");
  }

  /** The execution an Idempotency-Key already made (a replay), a conflict, or null when the key is new. */
  earlier(
    idempotencyKey: string | null,
    fingerprints: readonly string[],
  ): Extract<AdmitResult, { kind: "replay" | "conflict" }> | null {
    if (idempotencyKey === null) return null;
    const [earlier] = this.sql
      .exec<RunRow>("SELECT id, state, until, fingerprint FROM runs WHERE idempotency_key = ?", idempotencyKey)
      .toArray();
    if (!earlier) return null;
    return earlier.fingerprint !== null && fingerprints.includes(earlier.fingerprint)
      ? { kind: "replay", executionId: earlier.id }
      : { kind: "conflict" };
  }

  /** Admits or refuses a new execution, exactly: its key, the live count and the day's budget are read and written in one turn. */
  admit(request: AdmitRequest, limits: AdmissionLimits): AdmitResult {
    const now = this.now();
    if (request.idempotencyKey !== null) {
      const [earlier] = this.sql
        .exec<RunRow>(
          "SELECT id, state, until, fingerprint FROM runs WHERE idempotency_key = ?",
          request.idempotencyKey,
        )
        .toArray();
      if (earlier)
        return earlier.fingerprint !== null && request.fingerprints.includes(earlier.fingerprint)
          ? { kind: "replay", executionId: earlier.id }
          : { kind: "conflict" };
    }
    if (this.live(now) >= limits.maxConcurrent) return { kind: "too_many" };
    const left = this.dayLeft(dayStart(request.createdAt), limits.dailyCap, null);
    if (left !== null && (left <= 0 || left < request.need))
      return { kind: "budget_exhausted", left: Math.max(0, left) };
    const until = request.start ? now + limits.leaseMs : request.createdAt + limits.pendingTtlMs;
    this.sql.exec(
      "INSERT INTO runs (id, created_at, day, state, until, idempotency_key, fingerprint, summary) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
      request.executionId,
      request.createdAt,
      dayStart(request.createdAt),
      request.start ? "live" : "pending",
      until,
      request.idempotencyKey,
      request.fingerprints[0] ?? null,
      JSON.stringify(request.summary),
    );
    return { kind: "admitted" };
  }

  /**
   * A nested execution (an agent step's `assistant:` call, SPEC §12) is admitted under its parent's
   * slot, as a run resuming after waiting is: it runs even at the limit (its parent holds a slot and
   * waits for it), and new creates count it. Its list item shows at once. Once only: a parent that
   * restarted and admits it again changes nothing. The day's budget is held by its own calls.
   */
  admitNested(executionId: string, createdAt: number, summary: ExecutionSummary, leaseMs: number): void {
    this.sql.exec(
      `INSERT INTO runs (id, created_at, day, state, until, summary) VALUES (?, ?, ?, 'live', ?, ?)
       ON CONFLICT (id) DO NOTHING`,
      executionId,
      createdAt,
      dayStart(createdAt),
      this.now() + leaseMs,
      JSON.stringify(summary),
    );
  }

  /** A pending execution starts: it must be pending and unexpired, with a slot and the day's budget free. */
  startPending(executionId: string, need: number, limits: AdmissionLimits): StartPendingResult {
    const now = this.now();
    const [row] = this.sql
      .exec<RunRow>("SELECT id, state, until, fingerprint FROM runs WHERE id = ?", executionId)
      .toArray();
    if (row?.state !== "pending") return "not_pending";
    if ((row.until ?? 0) <= now) return "expired";
    if (this.live(now, executionId) >= limits.maxConcurrent) return "limit_reached";
    const left = this.dayLeft(dayStart(now), limits.dailyCap, null);
    if (left !== null && (left <= 0 || left < need)) return "budget_exhausted";
    this.sql.exec("UPDATE runs SET state = 'live', until = ? WHERE id = ?", now + limits.leaseMs, executionId);
    this.setStatus(executionId, "running", { startedAt: now });
    return "started";
  }

  /** A live run renews its lease (a run this account does not know, e.g. from before the cut-over, is adopted). */
  renewLease(executionId: string, createdAt: number, leaseMs: number): void {
    const until = this.now() + leaseMs;
    this.sql.exec(
      `INSERT INTO runs (id, created_at, day, state, until) VALUES (?, ?, ?, 'live', ?)
       ON CONFLICT (id) DO UPDATE SET until = excluded.until WHERE state = 'live'`,
      executionId,
      createdAt,
      dayStart(createdAt),
      until,
    );
  }

  /**
   * A run waits for a person's decision: it holds no slot while it waits (SPEC §12), and at most
   * `maxWaiting` of the user's runs wait at once. False: the run may not wait (it goes on without).
   */
  beginWaiting(executionId: string, createdAt: number, maxWaiting: number): boolean {
    const waiting = this.sql
      .exec<{ n: number }>("SELECT count(*) AS n FROM runs WHERE state = 'waiting' AND id IS NOT ?", executionId)
      .one().n;
    if (waiting >= maxWaiting) return false;
    this.sql.exec(
      `INSERT INTO runs (id, created_at, day, state) VALUES (?, ?, ?, 'waiting')
       ON CONFLICT (id) DO UPDATE SET state = 'waiting', until = NULL WHERE state <> 'ended'`,
      executionId,
      createdAt,
      dayStart(createdAt),
    );
    this.setStatus(executionId, "waiting", {});
    return true;
  }

  /** A decision came: the run goes on, taking a slot if one is free and otherwise running above the limit. */
  resumedAfterWaiting(executionId: string, leaseMs: number): void {
    this.sql.exec(
      "UPDATE runs SET state = 'live', until = ? WHERE id = ? AND state = 'waiting'",
      this.now() + leaseMs,
      executionId,
    );
    this.setStatus(executionId, "running", {});
  }

  /** A run ended: its slot is free, what it held of the day becomes what it cost, its list item says how it ended. */
  ended(executionId: string, createdAt: number, costMicros: number, summary: ExecutionSummary): void {
    this.sql.exec(
      `INSERT INTO runs (id, created_at, day, state, cost, summary) VALUES (?, ?, ?, 'ended', ?, ?)
       ON CONFLICT (id) DO UPDATE SET state = 'ended', until = NULL, held = 0, cost = excluded.cost,
         summary = CASE WHEN runs.summary IS NULL THEN NULL ELSE excluded.summary END`,
      executionId,
      createdAt,
      dayStart(createdAt),
      costMicros,
      JSON.stringify(summary),
    );
  }

  /** A run whose object could not be started: it never was, so nothing of it stays. */
  abandon(executionId: string): void {
    this.sql.exec("DELETE FROM runs WHERE id = ?", executionId);
  }

  /** When the account's run `executionId` was created; null when it does not know it. */
  createdAt(executionId: string): number | null {
    const [row] = this.sql
      .exec<{ created_at: number }>("SELECT created_at FROM runs WHERE id = ?", executionId)
      .toArray();
    return row?.created_at ?? null;
  }

  /**
   * A deleted run keeps only what the daily budget counts (its day and cost): its Idempotency-Key is
   * free again and it has no list item.
   */
  forget(executionId: string): void {
    this.sql.exec(
      "UPDATE runs SET idempotency_key = NULL, fingerprint = NULL, summary = NULL WHERE id = ?",
      executionId,
    );
  }

  /** Forgets every run created before `at` (see `forget`); answers those D1 may not hold whole yet. */
  forgetBefore(at: number): string[] {
    const unindexed = this.sql
      .exec<{ id: string }>(
        "SELECT id FROM runs WHERE created_at < ? AND (state <> 'ended' OR summary IS NOT NULL)",
        at,
      )
      .toArray()
      .map((row) => row.id);
    this.sql.exec(
      "UPDATE runs SET idempotency_key = NULL, fingerprint = NULL, summary = NULL WHERE created_at < ?",
      at,
    );
    return unindexed;
  }

  /** D1 holds the run's whole record: its list item is read from there from now on. */
  indexed(executionId: string): void {
    this.sql.exec("UPDATE runs SET summary = NULL WHERE id = ? AND state = 'ended'", executionId);
  }

  /**
   * The daily budget's ledger: sets what run `executionId` holds of its day to `base` + a grant of up
   * to `want` more, as much as the day has left beside the user's other runs, and nothing unless at
   * least `min` fits. Answers the grant.
   */
  holdDaily(executionId: string, request: { base: number; want: number; min: number }, cap: number): number {
    const [row] = this.sql.exec<{ day: number }>("SELECT day FROM runs WHERE id = ?", executionId).toArray();
    const day = row?.day ?? dayStart(this.now());
    const others = this.spentOn(day, executionId);
    // Whole micro-dollars, rounded up: a run never holds less than it may spend.
    const base = Math.ceil(request.base);
    const min = Math.max(0, Math.ceil(request.min));
    if (others + base + min > cap) return 0;
    const granted = Math.max(
      0,
      Math.min(Number.isFinite(request.want) ? Math.ceil(request.want) : cap, cap - others - base),
    );
    this.sql.exec(
      `INSERT INTO runs (id, created_at, day, state, held) VALUES (?, ?, ?, 'live', ?)
       ON CONFLICT (id) DO UPDATE SET held = excluded.held`,
      executionId,
      this.now(),
      day,
      base + granted,
    );
    return granted;
  }

  /** What run `executionId` holds of its day's budget now (0 when none). */
  heldBy(executionId: string): number {
    const [row] = this.sql.exec<{ held: number }>("SELECT held FROM runs WHERE id = ?", executionId).toArray();
    return row?.held ?? 0;
  }

  /** Micro-dollars the user's runs of `day` spent or hold (ended ones at their cost, live ones at the larger of cost and hold). */
  spentOn(day: number, except: string | null = null): number {
    const row = this.sql
      .exec<{ spent: number }>(
        `SELECT coalesce(sum(CASE WHEN state = 'ended' THEN cost ELSE max(cost, held) END), 0) AS spent
         FROM runs WHERE day = ? AND id IS NOT ?`,
        day,
        except,
      )
      .one();
    return row.spent;
  }

  /**
   * The first time the account opens, it takes what D1 counted so far: runs live during a deploy keep
   * their slots (until they renew them, or their lease lapses) and what they held of the day.
   */
  imported(): boolean {
    return this.sql.exec("SELECT 1 FROM admission_meta WHERE key = 'imported'").toArray().length > 0;
  }

  import(rows: readonly ImportedExecution[], limits: AdmissionLimits): void {
    const now = this.now();
    for (const row of rows) {
      const live = row.status === "running";
      const pending = row.status === "pending";
      this.sql.exec(
        `INSERT OR IGNORE INTO runs (id, created_at, day, state, until, held, cost, idempotency_key, fingerprint)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        row.id,
        row.createdAt,
        dayStart(row.createdAt),
        live ? "live" : pending ? "pending" : "ended",
        live ? now + limits.leaseMs : pending ? row.createdAt + limits.pendingTtlMs : null,
        live ? row.reservedMicros : 0,
        row.costMicros ?? 0,
        row.idempotencyKey,
        row.requestFingerprint ?? legacyFingerprint(row.toolId ?? "", row.inputs),
      );
    }
    this.sql.exec("INSERT OR REPLACE INTO admission_meta (key, value) VALUES ('imported', ?)", String(now));
  }

  /** The D1 bookmark after the user's last write of a tool: their next read of tools is never older. */
  toolsBookmark(): string | null {
    const [row] = this.sql
      .exec<{ value: string }>("SELECT value FROM admission_meta WHERE key = 'tools_bookmark'")
      .toArray();
    return row?.value ?? null;
  }

  rememberToolsBookmark(bookmark: string): void {
    this.sql.exec("INSERT OR REPLACE INTO admission_meta (key, value) VALUES ('tools_bookmark', ?)", bookmark);
  }

  /** The list items D1 has not indexed yet (or whose status it does not know), newest first. */
  unindexed(): ExecutionSummary[] {
    return this.sql
      .exec<{ summary: string }>(
        "SELECT summary FROM runs WHERE summary IS NOT NULL ORDER BY created_at DESC LIMIT 200",
      )
      .toArray()
      .map((row) => JSON.parse(row.summary) as ExecutionSummary);
  }

  /** How many runs hold a slot: live with a lease not lapsed, or pending and not expired. */
  private live(now: number, except: string | null = null): number {
    return this.sql
      .exec<{ live: number }>(
        "SELECT count(*) AS live FROM runs WHERE state IN ('live', 'pending') AND until > ? AND id IS NOT ?",
        now,
        except,
      )
      .one().live;
  }

  /** What is left of `day`'s budget (null: no cap). */
  private dayLeft(day: number, cap: number, except: string | null): number | null {
    return cap > 0 ? cap - this.spentOn(day, except) : null;
  }

  private setStatus(executionId: string, status: ExecutionSummary["status"], change: Partial<ExecutionSummary>): void {
    const [row] = this.sql
      .exec<{ summary: string | null }>("SELECT summary FROM runs WHERE id = ?", executionId)
      .toArray();
    if (!row?.summary) return;
    const summary = { ...(JSON.parse(row.summary) as ExecutionSummary), ...change, status };
    this.sql.exec("UPDATE runs SET summary = ? WHERE id = ?", JSON.stringify(summary), executionId);
  }
}
