// One Durable Object per user (idFromName(userId)): their sign-in sessions and profile, and the
// admission of their executions (slots, Idempotency-Keys, the daily budget, the list's newest items).
// Thin on purpose: typed RPC methods over the modules in user/, which own the logic and their tables.
import { DurableObject } from "cloudflare:workers";
import { executionsToImport } from "../db/account-import";
import { createDb } from "../db/client";
import type { ExecutionSummary } from "../db/execution-summary";
import type { ProfileClaims } from "../lib/identity";
import { AccountDeletion } from "./account-deletion";
import { objectEraser } from "./erasure";
import { Admission } from "./user/admission";
import {
  type AdmissionLimits,
  type AdmitRequest,
  type AdmitResult,
  DAY_MS,
  dayStart,
  type StartPendingResult,
} from "./user/admission-limits";
import { type DeletionRequest, Deletions, type DeletionView } from "./user/deletions";
import { type Profile, Profiles } from "./user/profile";
import { ProfileCopy } from "./user/profile-copy";
import { type SessionRecord, Sessions } from "./user/sessions";

export type { AdmissionLimits, AdmitRequest, AdmitResult, StartPendingResult } from "./user/admission-limits";
export type { DeletionRequest, DeletionView } from "./user/deletions";
export type { Profile } from "./user/profile";
export type { SessionRecord } from "./user/sessions";

/** What opening a session needs: how long it lasts and what the ID token said about the user. */
export interface OpenSessionInput {
  userId: string;
  ttlSeconds: number;
  profile: ProfileClaims;
}

/** A run that ended, as its object tells the account. */
export interface EndedRun {
  id: string;
  createdAt: number;
  costMicros: number;
  summary: ExecutionSummary;
  /** D1 holds its whole record already. */
  indexed: boolean;
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
  private readonly profileCopy: ProfileCopy;
  private readonly admission: Admission;
  private readonly deletions: Deletions;
  private readonly deletion: AccountDeletion;
  private now: () => number = Date.now;
  private database: D1Database;
  private bucket: R2Bucket;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.database = env.DB;
    this.bucket = env.OUTPUTS;
    const now = () => this.now();
    this.sessions = new Sessions(ctx.storage.sql, now);
    this.profiles = new Profiles(ctx.storage.sql, now);
    this.profileCopy = new ProfileCopy(ctx.storage.sql, env.DB);
    this.admission = new Admission(ctx.storage.sql, now);
    this.deletions = new Deletions(ctx.storage.sql);
    this.deletion = new AccountDeletion({
      deletions: this.deletions,
      admission: this.admission,
      db: () => createDb(this.database),
      erasure: () => ({
        db: createDb(this.database),
        bucket: this.bucket,
        eraseObject: objectEraser(this.env.EXECUTION_SESSION),
        now: this.now(),
      }),
      wakeAt: (at) => this.wakeAt(at),
    });
  }

  /** @internal The seams tests use on purpose: the account's clock (leases lapse, pending executions expire)… */
  useClock(now: () => number): void {
    this.now = now;
  }

  /** @internal …and the stores its deletions write (a failing one, to prove an accepted deletion completes). */
  useStores(stores: { database?: D1Database; bucket?: R2Bucket }): void {
    this.database = stores.database ?? this.database;
    this.bucket = stores.bucket ?? this.bucket;
  }

  /**
   * Before a create reads its tool: what its Idempotency-Key already made (a replay answers without
   * reading anything more), and the bookmark the tool read must not be older than.
   */
  async beforeCreate(
    userId: string,
    limits: AdmissionLimits,
    key: { idempotencyKey: string | null; fingerprints: string[] },
  ): Promise<{ earlier: Extract<AdmitResult, { kind: "replay" | "conflict" }> | null; toolsBookmark: string | null }> {
    await this.opened(userId, limits, key.idempotencyKey !== null);
    return {
      earlier: this.admission.earlier(key.idempotencyKey, key.fingerprints),
      toolsBookmark: this.admission.toolsBookmark(),
    };
  }

  /** Admits a new execution of `userId`, or says why not (or which execution its Idempotency-Key made). */
  async admit(userId: string, request: AdmitRequest, limits: AdmissionLimits): Promise<AdmitResult> {
    await this.opened(userId, limits, request.idempotencyKey !== null);
    return this.admission.admit(request, limits);
  }

  /** Admits a nested execution under its parent's slot (see Admission.admitNested). */
  async admitNested(
    userId: string,
    limits: AdmissionLimits,
    run: { id: string; createdAt: number; summary: ExecutionSummary },
  ): Promise<void> {
    await this.opened(userId, limits, false);
    this.admission.admitNested(run.id, run.createdAt, run.summary, limits.leaseMs);
  }

  /** Starts a pending execution when a slot and the day's budget are free. */
  async startPending(
    userId: string,
    executionId: string,
    need: number,
    limits: AdmissionLimits,
  ): Promise<StartPendingResult> {
    await this.opened(userId, limits, false);
    return this.admission.startPending(executionId, need, limits);
  }

  /** A live run renews its lease; one that stops renewing loses its slot after `leaseMs`. */
  async renewLease(userId: string, limits: AdmissionLimits, run: { id: string; createdAt: number }): Promise<void> {
    await this.opened(userId, limits, false);
    this.admission.renewLease(run.id, run.createdAt, limits.leaseMs);
  }

  /** A run waits for a person's decision (no slot held); false past `limits.maxWaiting`. */
  async beginWaiting(
    userId: string,
    limits: AdmissionLimits,
    run: { id: string; createdAt: number },
  ): Promise<boolean> {
    await this.opened(userId, limits, false);
    return this.admission.beginWaiting(run.id, run.createdAt, limits.maxWaiting);
  }

  /** A waiting run goes on after a decision. */
  async resumedAfterWaiting(userId: string, limits: AdmissionLimits, run: { id: string }): Promise<void> {
    await this.opened(userId, limits, false);
    this.admission.resumedAfterWaiting(run.id, limits.leaseMs);
  }

  /** A run ended: its slot is freed and its cost settles the day; `indexed`: D1 holds its whole record. */
  async runEnded(userId: string, limits: AdmissionLimits, run: EndedRun): Promise<void> {
    await this.opened(userId, limits, false);
    this.admission.ended(run.id, run.createdAt, run.costMicros, run.summary);
    if (run.indexed) this.admission.indexed(run.id);
  }

  /** A run whose object could not be started gives its slot back: it never was. */
  abandon(executionId: string): void {
    this.admission.abandon(executionId);
  }

  /** D1 holds the run's whole record (a repair landed). */
  runIndexed(executionId: string): void {
    this.admission.indexed(executionId);
  }

  /** The daily budget's ledger for one run (see Admission.holdDaily). */
  async holdDaily(
    userId: string,
    limits: AdmissionLimits,
    executionId: string,
    request: { base: number; want: number; min: number },
  ): Promise<number> {
    await this.opened(userId, limits, false);
    return this.admission.holdDaily(executionId, request, limits.dailyCap);
  }

  /** The D1 bookmark after the user's last write of a tool (null: none yet). */
  toolsBookmark(): string | null {
    return this.admission.toolsBookmark();
  }

  /** Keeps the D1 bookmark of the user's write of a tool, so their next read of tools sees it. */
  rememberToolsBookmark(bookmark: string): void {
    this.admission.rememberToolsBookmark(bookmark);
  }

  /** What one run holds of its day's budget now (micro-dollars). */
  heldBy(executionId: string): number {
    return this.admission.heldBy(executionId);
  }

  /** What the user spent or holds today (micro-dollars). */
  spentToday(): number {
    return this.admission.spentOn(dayStart(this.now()));
  }

  /** What the list merges into D1's: the items D1 has not indexed yet (newest first), and what deletions hide. */
  listView(): { unindexed: ExecutionSummary[]; hiddenIds: string[]; hiddenBefore: number } {
    const hiddenIds = this.deletions.hiddenIds();
    const hiddenBefore = this.deletions.before();
    const unindexed = this.admission
      .unindexed()
      .filter((item) => item.createdAt >= hiddenBefore && !this.deletions.view(item.id).deleted);
    return { unindexed, hiddenIds, hiddenBefore };
  }

  /** Whether reads of one execution must answer 404 (it, or everything before a moment, is being deleted). */
  deletionView(executionId: string): DeletionView {
    return this.deletions.view(executionId);
  }

  /** Deletes `userId`'s execution (hidden at once, erased before this answers unless a store fails); false: not theirs. */
  deleteExecution(userId: string, executionId: string, actor: string): Promise<boolean> {
    return this.deletion.deleteOne(userId, executionId, actor);
  }

  /** Deletes everything `userId` has: tools now, executions hidden now and erased in batches from the alarm. */
  deleteAllData(userId: string, request: DeletionRequest): Promise<void> {
    return this.deletion.deleteAll(userId, request);
  }

  /** Whether a deletion still has work to do (tests and the benchmark wait on it). */
  deletionPending(): boolean {
    return this.deletions.pending();
  }

  override async alarm(): Promise<void> {
    await this.deletion.work();
  }

  /** Arms the alarm for `at` unless it already rings sooner. */
  private async wakeAt(at: number): Promise<void> {
    const current = await this.ctx.storage.getAlarm();
    if (current === null || current > at) await this.ctx.storage.setAlarm(at);
  }

  /**
   * The cut-over: an account takes what D1 counted before it (once; nothing else runs meanwhile) when
   * it first needs it: to check the day's budget (a cap is set) or an Idempotency-Key. Runs live
   * during a deploy need no import: their objects restart and renew (adopt) their leases and holds.
   */
  private async opened(userId: string, limits: AdmissionLimits, keyed: boolean): Promise<void> {
    if ((limits.dailyCap <= 0 && !keyed) || this.admission.imported()) return;
    await this.ctx.blockConcurrencyWhile(async () => {
      if (this.admission.imported()) return;
      const since = dayStart(this.now()) - DAY_MS;
      this.admission.import(await executionsToImport(createDb(this.database), userId, since), limits);
    });
  }

  /** Signs the user in: records the ID token's profile and opens a session (one call at sign-in). */
  openSession(input: OpenSessionInput): SessionRecord {
    this.profiles.record(input.profile);
    this.copyProfile(input.userId);
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
  recordProfile(userId: string, profile: ProfileClaims): boolean {
    const changed = this.profiles.record(profile);
    this.copyProfile(userId);
    return changed;
  }

  /** D1's copy of the profile, for reports, written in the background: never on a request's or a run's path. */
  private copyProfile(userId: string): void {
    const write = this.profileCopy.sync(userId, this.profiles.get());
    if (write) this.ctx.waitUntil(write);
  }

  /** The stored profile, for reports; null before any token carried one. */
  profile(): Profile | null {
    return this.profiles.get();
  }
}
