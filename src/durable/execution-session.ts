// One Durable Object per execution: its RPC methods, its alarm, its storage (the event log, the run's
// state) and the streams it serves. What the run does is decided in engine/run-machine.ts and applied
// by the run's shell (run-shell.ts); when the object next wakes is computed by engine/next-wake.ts and
// armed in one place here (`armAlarm`).
import { DurableObject } from "cloudflare:workers";
import { createDb } from "../db/client";
import { findPromptOutput } from "../db/execution-queries";
import { ExecutionRecords } from "../db/execution-records";
import { nextWake } from "../engine/next-wake";
import type { ExecutionPlan } from "../engine/plan";
import { canceledPromptIds } from "../engine/run-state";
import { legacyContext } from "../events/legacy";
import type { StreamFormat } from "../events/sse";
import { getConfig } from "../lib/config";
import { describeError, log } from "../lib/log";
import { EventLog } from "./event-log";
import { ChangeNotifier, createEventStream } from "./event-stream";
import { RunShell } from "./run-shell";
import type { PendingExpiry, SessionStorage } from "./session-storage";
import * as stored from "./session-storage";
import type { OpenStreamResult, SessionInternals, SessionStatus } from "./session-types";

export { EVENT_LOG_RETENTION_MS } from "../engine/next-wake";

/** A cancel, or a stop found after a restart, answers once the run has ended (or after this long). */
const END_WAIT_MS = 10_000;
const PENDING_RETRY_MS = 10_000;

export class ExecutionSession extends DurableObject<Env> {
  private storage: SessionStorage;
  private database: D1Database;
  private now: () => number = Date.now;
  private eventLog: EventLog;
  private readonly notifier = new ChangeNotifier();
  private readonly shell: RunShell;
  private subscribers = 0;
  /** When the alarm is set to ring, as far as this life of the object knows (null: not known to be set). */
  private alarmAt: number | null = null;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.storage = { sql: ctx.storage.sql, kv: ctx.storage.kv };
    this.database = env.DB;
    this.eventLog = new EventLog(this.storage.sql, this.storage.kv);
    this.shell = new RunShell(
      {
        now: () => this.now(),
        config: () => getConfig(this.env),
        save: (state) => stored.saveState(this.storage.kv, state),
        append: (event) => {
          this.eventLog.append(event);
          this.notifier.notify();
        },
        progress: () => this.eventLog.progress(),
        records: (executionId) => new ExecutionRecords(createDb(this.database), executionId),
        sourceOutput: (source, promptId) => findPromptOutput(createDb(this.database), source, promptId),
        ended: () => {
          this.notifier.notify();
          // The run is over: followers and replays read the stored log from here on.
          this.eventLog.releaseMemory();
        },
        forget: () => this.forget(),
        waitUntil: (work) => this.ctx.waitUntil(work),
        changed: () => this.armAlarm(),
      },
      stored.loadState(this.storage.kv),
    );
  }

  /**
   * @internal Seams for tests and the benchmark, used on purpose instead of reaching into private
   * fields: read the state, and swap the storage, the database or the clock the object uses.
   */
  internals(): SessionInternals {
    return {
      state: () => this.shell.current,
      useStorage: (storage) => {
        this.storage = storage;
        this.eventLog = new EventLog(storage.sql, storage.kv);
      },
      useDatabase: (database) => (this.database = database),
      useClock: (now) => (this.now = now),
    };
  }

  /** Starts the run once; later calls (client retries) just report the status. */
  async start(plan: ExecutionPlan): Promise<SessionStatus> {
    if (this.shell.current) return this.wake();
    stored.savePlan(this.storage.kv, plan);
    stored.clearPendingExpiry(this.storage.kv);
    this.shell.start(plan);
    return this.status();
  }

  /** Takes up a run an earlier life of the object left (or ends it, if it must stop); reports the status. */
  async wake(): Promise<SessionStatus> {
    this.shell.takeUp();
    const state = this.shell.current;
    if (state && state.finishedAt !== null && !state.terminalStored) await this.shell.whenEnded(END_WAIT_MS);
    return this.status();
  }

  /**
   * A pending execution (created for the original endpoint to start later) expires at
   * `createdAt + ttlMs` unless started by then: the alarm cancels its records in D1.
   */
  async expirePendingAt(expiry: PendingExpiry): Promise<void> {
    if (this.shell.current) return;
    stored.savePendingExpiry(this.storage.kv, expiry);
    this.armAlarm();
  }

  /** A stream of the events after `afterId`, following live until the end. */
  async openStream(request: { afterId: number; format: StreamFormat }): Promise<OpenStreamResult> {
    this.shell.takeUp();
    const state = this.shell.current;
    if (!state) return { kind: "unknown" };
    if (state.terminalStored && request.afterId >= this.eventLog.lastId) return { kind: "finished" };
    this.subscribers++;
    const stream = createEventStream(
      {
        read: (afterId) => this.eventLog.readAfter(afterId),
        finished: () => this.shell.current?.terminalStored === true,
        notifier: this.notifier,
      },
      {
        afterId: request.afterId,
        format: request.format,
        legacy: legacyContext(state.plan, () => canceledPromptIds(this.shell.current)),
        maxConnectionMs: getConfig(this.env).streamMaxConnectionMs,
        onRelease: () => this.subscribers--,
      },
    );
    return { kind: "stream", stream };
  }

  /** Stops the model calls and ends the run as canceled; idempotent. Answers once the run has ended. */
  async cancel(): Promise<SessionStatus> {
    this.shell.takeUp();
    if (this.shell.current?.finishedAt !== null) return this.status();
    this.shell.dispatch({ type: "cancel" });
    await this.shell.whenEnded(END_WAIT_MS);
    return this.status();
  }

  status(): SessionStatus {
    return {
      status: this.shell.current?.status ?? "unknown",
      lastEventId: this.eventLog.lastId,
      subscribers: this.subscribers,
    };
  }

  override async alarm(): Promise<void> {
    this.alarmAt = null;
    const state = this.shell.current;
    if (!state) {
      await this.expirePending();
      return this.armAlarm();
    }
    this.shell.takeUp();
    const running = state.finishedAt === null;
    this.shell.dispatch({ type: "wake" });
    // A run the alarm stopped (its time cap) ends, and a repair it started is written, before the alarm returns.
    if (running && this.shell.current?.finishedAt !== null) await this.shell.whenEnded(END_WAIT_MS);
    await this.shell.recordsSettled();
    this.armAlarm();
  }

  /**
   * The one place the alarm is armed: for the next time something is due (engine/next-wake.ts). An
   * alarm already set to ring earlier stays: it rings, finds nothing due, and the next is armed.
   */
  private armAlarm(): void {
    const now = this.now();
    const expiry = this.shell.current ? undefined : stored.loadPendingExpiry(this.storage.kv);
    const pendingExpiresAt = expiry ? (expiry.retryAt ?? expiry.createdAt + expiry.ttlMs) : null;
    const wake = nextWake({ run: this.shell.current, pendingExpiresAt }, now);
    if (!wake || (this.alarmAt !== null && this.alarmAt > now && this.alarmAt <= wake.at)) return;
    this.alarmAt = wake.at;
    this.ctx.storage.setAlarm(wake.at).catch((error: unknown) => {
      this.alarmAt = null;
      log("error", "could not set the alarm", { why: wake.reason, error: describeError(error) });
    });
  }

  /** Never started: expire the pending execution's records when its time has come, then forget it. */
  private async expirePending(): Promise<void> {
    const expiry = stored.loadPendingExpiry(this.storage.kv);
    const now = this.now();
    if (!expiry || now < expiry.createdAt + expiry.ttlMs) return;
    try {
      await new ExecutionRecords(createDb(this.database), expiry.executionId).expirePending(
        expiry.createdAt,
        now,
        expiry.ttlMs,
      );
      await this.ctx.storage.deleteAll();
    } catch (error) {
      log("warn", "D1 unavailable; pending expiry postponed", {
        executionId: expiry.executionId,
        error: describeError(error),
      });
      stored.savePendingExpiry(this.storage.kv, { ...expiry, retryAt: now + PENDING_RETRY_MS });
    }
  }

  /** The event log has passed its retention: nothing of the run stays in the object. */
  private async forget(): Promise<void> {
    this.eventLog.close();
    await this.ctx.storage.deleteAll();
    this.shell.reset();
    this.eventLog = new EventLog(this.storage.sql, this.storage.kv);
    this.alarmAt = null;
  }
}
