// One Durable Object per execution, the run's source of truth: its RPC methods, its alarm, its storage
// (the event log, the run's state) and the streams it serves. It knows its owner, so reads need no D1.
// What the run does is decided in engine/run-machine.ts and applied by the run's shell (run-shell.ts);
// when the object next wakes is computed by engine/next-wake.ts and armed in one place (`armAlarm`).
import { DurableObject } from "cloudflare:workers";
import { createDb } from "../db/client";
import { readPromptOutput } from "../db/execution-contents";
import { findCall } from "../engine/agent-decisions";
import { type NestedOutcome, nestedOutcomeOf } from "../engine/assistant-tools";
import { nextWake } from "../engine/next-wake";
import type { ExecutionPlan } from "../engine/plan";
import { canceledPromptIds, type RunState } from "../engine/run-state";
import { toolCallRecord } from "../engine/tool-call-records";
import { legacyContext } from "../events/legacy";
import { getConfig } from "../lib/config";
import { describeError, log } from "../lib/log";
import type { ParentLink } from "../lib/nested-ids";
import { EventLog } from "./event-log";
import { ChangeNotifier, createEventStream } from "./event-stream";
import { liveRecordOf } from "./live-records";
import { RunShell } from "./run-shell";
import { storedToolResult } from "./run-tools";
import type { SessionStorage } from "./session-storage";
import * as stored from "./session-storage";
import type {
  DecideResult,
  LiveRecord,
  OpenStreamResult,
  SessionInternals,
  SessionStatus,
  StreamRequest,
} from "./session-types";
import type { UserAccount } from "./user-account";

export { EVENT_LOG_RETENTION_MS } from "../engine/next-wake";

/** A cancel, or a stop found after a restart, answers once the run has ended (or after this long). */
const END_WAIT_MS = 10_000;

/** When a run was created; a run an earlier version started has no header, and was created before any deletion. */
const createdAtOf = (plan: ExecutionPlan): number => plan.header?.createdAt ?? 0;

export class ExecutionSession extends DurableObject<Env> {
  private storage: SessionStorage;
  private database: D1Database;
  private accounts: DurableObjectNamespace<UserAccount>;
  private bucket: R2Bucket;
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
    this.accounts = env.USER_ACCOUNT;
    this.bucket = env.OUTPUTS;
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
        kv: () => this.storage.kv,
        database: () => createDb(this.database),
        d1: () => this.database,
        session: (executionId) => this.env.EXECUTION_SESSION.get(this.env.EXECUTION_SESSION.idFromName(executionId)),
        notifyParent: (parent) => this.notifyParent(parent),
        bucket: () => this.bucket,
        account: (userId) => this.accounts.get(this.accounts.idFromName(userId)),
        sourceOutput: (source, promptId) => readPromptOutput(createDb(this.database), this.bucket, source, promptId),
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
      useAccounts: (accounts) => (this.accounts = accounts),
      useBucket: (bucket) => (this.bucket = bucket),
      useClock: (now) => (this.now = now),
    };
  }

  /** Starts the run once; later calls (client retries) just report the status. */
  async start(plan: ExecutionPlan): Promise<SessionStatus> {
    if (this.shell.current || this.erased()) return this.wake();
    stored.savePlan(this.storage.kv, plan);
    this.shell.start(plan);
    return this.status();
  }

  /** Starts the run and opens its stream in one call (the original endpoint). */
  async startAndOpen(plan: ExecutionPlan, request: StreamRequest): Promise<OpenStreamResult> {
    await this.start(plan);
    return this.openStream({ ...request, userId: plan.ownerId });
  }

  /** A pending execution (created for the original endpoint to start later): expired at `pendingUntil` unless started. */
  async createPending(plan: ExecutionPlan, pendingUntil: number): Promise<SessionStatus> {
    if (!this.shell.current && !this.erased()) {
      stored.savePlan(this.storage.kv, plan);
      this.shell.createPending(plan, pendingUntil);
    }
    return this.status();
  }

  /** Starts `userId`'s pending execution (its slot was taken on the account). */
  async begin(userId: string): Promise<SessionStatus> {
    if (!this.owns(userId)) return { ...this.status(), status: "unknown" };
    this.shell.dispatch({ type: "begin" });
    return this.status();
  }

  /** Takes up a run an earlier life of the object left (or ends it, if it must stop); reports the status. */
  async wake(): Promise<SessionStatus> {
    this.shell.takeUp();
    const state = this.shell.current;
    if (state && state.finishedAt !== null && !state.terminalStored) await this.shell.whenEnded(END_WAIT_MS);
    return this.status();
  }

  /** A stream of the events after `afterId`, following live until the end; `unknown` for anyone but the owner. */
  async openStream(request: StreamRequest & { userId: string }): Promise<OpenStreamResult> {
    if (this.erased()) return { kind: "deleted" };
    if (!this.owns(request.userId)) return { kind: "unknown" };
    const state = this.shell.current;
    if (!state) return { kind: "unknown" };
    if (state.status === "pending") return { kind: "pending" };
    if (state.terminalStored && request.afterId >= this.eventLog.lastId)
      return { kind: "finished", createdAt: createdAtOf(state.plan) };
    this.subscribers++;
    const stream = createEventStream(
      {
        read: (afterId) => this.eventLog.readAfter(afterId),
        // A run forgotten or erased under a follower has nothing more to give it.
        finished: () => this.shell.current?.terminalStored ?? true,
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
    return { kind: "stream", stream, createdAt: createdAtOf(state.plan) };
  }

  /**
   * `userId`'s execution as its record would say, each prompt's output so far included; null for
   * anyone else's, and for a run this object does not hold (never started here, or past retention);
   * "deleted" once it was erased (nothing is read from anywhere else then).
   */
  async record(userId: string): Promise<LiveRecord | "deleted" | null> {
    if (this.erased()) return "deleted";
    if (!this.owns(userId)) return null;
    const state = this.shell.current;
    if (!state) return null;
    return liveRecordOf(state, this.shell.outputsSoFar(), this.storage.kv);
  }

  /**
   * `userId` decides a waiting tool call (SPEC §12): the first decision wins, the same one again
   * answers the call as it is, a different one is a conflict; `unknown` for anyone else's run or call.
   */
  async decide(
    userId: string,
    callId: string,
    request: { decision: "approve" | "deny"; reason?: string },
  ): Promise<DecideResult> {
    if (!this.owns(userId)) return { kind: "unknown" };
    const before = this.shell.current && findCall(this.shell.current, callId);
    if (!before) return { kind: "unknown" };
    if (before.call.status === "waiting" && this.shell.current?.finishedAt === null)
      this.shell.dispatch({ type: "decided", callId, ...request, by: userId });
    const after = this.shell.current && findCall(this.shell.current, callId);
    if (!after) return { kind: "unknown" };
    const call = toolCallRecord(after.call, storedToolResult(this.storage.kv, callId));
    return after.call.decision === request.decision ? { kind: "decided", call } : { kind: "conflict", call };
  }

  /**
   * How `userId`'s run stands, as its parent (an agent step's `assistant:` call) reads it: its status,
   * its final prompt's output so far, its error and (once ended) its cost; null when it is not theirs
   * or this object holds no run (not started yet).
   */
  async nestedOutcome(userId: string): Promise<NestedOutcome | null> {
    if (!this.owns(userId)) return null;
    const state = this.shell.current;
    if (!state) return null;
    return nestedOutcomeOf(state, this.shell.outputsSoFar());
  }

  /** A nested execution this run started for its call `callId` ended: the run takes its result now. */
  async nestedEnded(callId: string): Promise<void> {
    if (this.erased()) return;
    this.shell.takeUp();
    this.shell.nestedEnded(callId);
  }

  /** Tells the parent's object this nested run ended (tried a few times; its poll finds the end anyway). */
  private async notifyParent(parent: ParentLink): Promise<void> {
    const stub = this.env.EXECUTION_SESSION.get(this.env.EXECUTION_SESSION.idFromName(parent.executionId));
    for (let attempt = 1; attempt <= 3; attempt++) {
      try {
        return await stub.nestedEnded(parent.callId);
      } catch (error) {
        log("warn", "could not tell the parent execution", { parent: parent.executionId, error: describeError(error) });
        await new Promise((resolve) => setTimeout(resolve, 200 * attempt));
      }
    }
  }

  /** Stops the model calls and ends the run as canceled; idempotent. Answers once the run has ended. */
  async cancel(userId: string): Promise<SessionStatus> {
    if (!this.owns(userId)) return { ...this.status(), status: "unknown" };
    if (this.shell.current?.finishedAt !== null) return this.status();
    this.shell.dispatch({ type: "cancel" });
    await this.shell.whenEnded(END_WAIT_MS);
    return this.status();
  }

  /**
   * Erases `userId`'s run (a deletion): a live one is canceled first and given time to end; then its
   * storage is deleted, whatever is still in flight stops and its writes settle, and only a tombstone
   * stays (no content), which every read and any later start respect. false: the run is someone else's.
   */
  async erase(userId: string): Promise<boolean> {
    if (this.erased()) return true;
    this.shell.takeUp();
    const state = this.shell.current;
    if (state && state.plan.ownerId !== userId) return false;
    if (state && state.finishedAt === null) {
      this.shell.dispatch({ type: "cancel" });
      await this.shell.whenEnded(END_WAIT_MS);
    }
    await this.forget();
    stored.markErased(this.storage.kv);
    this.notifier.notify();
    // A write already under way lands before the caller deletes what it wrote; none can start now.
    await this.shell.recordsSettled();
    return true;
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
    if (this.erased()) return;
    this.shell.takeUp();
    const running = this.shell.current?.finishedAt === null;
    this.shell.dispatch({ type: "wake" });
    // A run the alarm stopped (its time cap, a pending expiry) ends, and a repair it started is written, before the alarm returns.
    if (running && this.shell.current?.finishedAt !== null) await this.shell.whenEnded(END_WAIT_MS);
    await this.shell.recordsSettled();
    this.armAlarm();
  }

  /**
   * Whether `userId` owns the run this object holds. A fresh life takes the run up first, and a
   * pending execution past its time expires now if its alarm has not rung yet.
   */
  private owns(userId: string): boolean {
    if (this.erased()) return false;
    this.shell.takeUp();
    const pending = this.shell.current;
    if (pending?.status === "pending" && this.now() >= (pending.pendingUntil ?? Number.POSITIVE_INFINITY))
      this.shell.dispatch({ type: "wake" });
    const state: RunState | undefined = this.shell.current;
    return state !== undefined && state.plan.ownerId === userId;
  }

  /**
   * The one place the alarm is armed: for the next time something is due (engine/next-wake.ts). An
   * alarm already set to ring earlier stays: it rings, finds nothing due, and the next is armed.
   */
  private armAlarm(): void {
    const now = this.now();
    const wake = nextWake(this.shell.current, now);
    if (!wake || (this.alarmAt !== null && this.alarmAt > now && this.alarmAt <= wake.at)) return;
    this.alarmAt = wake.at;
    this.ctx.storage.setAlarm(wake.at).catch((error: unknown) => {
      this.alarmAt = null;
      log("error", "could not set the alarm", { why: wake.reason, error: describeError(error) });
    });
  }

  private erased(): boolean {
    return stored.isErased(this.storage.kv);
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
