// One Durable Object per execution: runs the chain once, keeps the event log for replay, enforces
// the time cap with an alarm (which also keeps the run alive and detects a run that died), cancels.
// Every change to the run's state is a pure function from engine/state.ts; the object applies it.
import { DurableObject } from "cloudflare:workers";
import { createDb } from "../db/client";
import { ExecutionRecords } from "../db/execution-records";
import { stopEnding } from "../engine/endings";
import type { ExecutionPlan } from "../engine/plan";
import type { SessionState } from "../engine/state";
import * as transition from "../engine/state";
import { canceledByUser, timedOut } from "../engine/stop-reasons";
import { legacyContext } from "../events/legacy";
import type { StreamFormat } from "../events/sse";
import { type ExecutionEvent, event } from "../events/types";
import { getConfig } from "../lib/config";
import { describeError, log } from "../lib/log";
import { EventLog } from "./event-log";
import { ChangeNotifier, createEventStream } from "./event-stream";
import { expirePendingRecords, repairRecords } from "./final-records";
import { executeRun, finishRun, type RunHost } from "./session-run";
import type { PendingExpiry, SessionStorage } from "./session-storage";
import * as stored from "./session-storage";
import type { OpenStreamResult, SessionInternals, SessionStatus } from "./session-types";

/** The alarm fires at least this often while running: keeps the object alive, notices a dead run. */
export const HEARTBEAT_MS = 30_000;
/** How long a finished execution's event log is kept; replays are rebuilt from D1 after that. */
export const EVENT_LOG_RETENTION_MS = 24 * 60 * 60_000;
const D1_REPAIR_RETRY_MS = 10_000;

export class ExecutionSession extends DurableObject<Env> {
  private storage: SessionStorage;
  private database: D1Database;
  private now: () => number = Date.now;
  private eventLog: EventLog;
  private state: SessionState | undefined;
  private readonly notifier = new ChangeNotifier();
  /** The run (or recovery) in this instance; absent while state says running means the run died. */
  private run: Promise<void> | undefined;
  private controller: AbortController | undefined;
  private subscribers = 0;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.storage = { sql: ctx.storage.sql, kv: ctx.storage.kv };
    this.database = env.DB;
    this.eventLog = new EventLog(this.storage.sql, this.storage.kv);
    this.state = stored.loadState(this.storage.kv);
  }

  /**
   * @internal Seams for tests and the benchmark, used on purpose instead of reaching into private
   * fields: read the state, and swap the storage, the database or the clock the object uses.
   */
  internals(): SessionInternals {
    return {
      state: () => this.state,
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
    if (this.state) {
      await this.recoverIfStale();
      return this.status();
    }
    const now = this.now();
    stored.savePlan(this.storage.kv, plan);
    this.apply(transition.initialState(plan, now, getConfig(this.env).maxExecutionMs));
    this.emit(
      event("execution.started", {
        executionId: plan.executionId,
        toolId: plan.toolId,
        toolName: plan.toolName,
        prompts: plan.prompts.map(({ id, name, position }) => ({ id, name, position })),
      }),
    );
    await this.launch(false);
    return this.status();
  }

  /** Finds a run that died with an earlier instance and resumes it (or ends it); reports the status. */
  async wake(): Promise<SessionStatus> {
    await this.recoverIfStale();
    return this.status();
  }

  /**
   * A pending execution (created for the original endpoint to start later) expires at
   * `createdAt + ttlMs` unless started by then: the alarm cancels its records in D1.
   */
  async expirePendingAt(expiry: PendingExpiry): Promise<void> {
    if (this.state) return;
    stored.savePendingExpiry(this.storage.kv, expiry);
    await this.ctx.storage.setAlarm(expiry.createdAt + expiry.ttlMs);
  }

  /** A stream of the events after `afterId`, following live until the end. */
  async openStream(request: { afterId: number; format: StreamFormat }): Promise<OpenStreamResult> {
    if (!this.state) return { kind: "unknown" };
    await this.recoverIfStale();
    const { plan, terminalEventId } = this.current();
    if (terminalEventId !== null && request.afterId >= this.eventLog.lastId) return { kind: "finished" };
    this.subscribers++;
    const stream = createEventStream(
      {
        read: (afterId) => this.eventLog.readAfter(afterId),
        finished: () => this.state?.terminalEventId != null,
        notifier: this.notifier,
      },
      {
        afterId: request.afterId,
        format: request.format,
        legacy: legacyContext(plan, () => transition.canceledPromptIds(this.state)),
        maxConnectionMs: getConfig(this.env).streamMaxConnectionMs,
        onRelease: () => this.subscribers--,
      },
    );
    return { kind: "stream", stream };
  }

  /** Stops the model calls and ends the run as canceled; idempotent. */
  async cancel(): Promise<SessionStatus> {
    if (this.state?.status !== "running") return this.status();
    this.apply(transition.cancelRequested(this.state));
    if (this.controller && this.run) {
      this.controller.abort(canceledByUser());
      await this.run;
    } else {
      await this.recoverIfStale();
    }
    return this.status();
  }

  status(): SessionStatus {
    return {
      status: this.state?.status ?? "unknown",
      lastEventId: this.eventLog.lastId,
      subscribers: this.subscribers,
    };
  }

  override async alarm(): Promise<void> {
    const state = this.state;
    if (!state) return this.expirePending();
    const now = this.now();
    if (state.status === "running") {
      if (!this.run) return this.recoverIfStale();
      if (now >= state.deadline) {
        this.controller?.abort(timedOut(state.limitMs));
        return this.run;
      }
      return this.ctx.storage.setAlarm(Math.min(state.deadline, now + HEARTBEAT_MS));
    }
    if (state.owesSnapshot) return this.repairRecords();
    const expiresAt = (state.finishedAt ?? now) + EVENT_LOG_RETENTION_MS;
    if (now < expiresAt) return this.ctx.storage.setAlarm(expiresAt);
    this.eventLog.close();
    await this.ctx.storage.deleteAll();
    this.state = undefined;
    this.eventLog = new EventLog(this.storage.sql, this.storage.kv);
  }

  /** The state during a run (always there once started). */
  private current(): SessionState {
    if (!this.state) throw new Error("the execution has no run");
    return this.state;
  }

  /** Stores the next state: the one place the object's state changes. */
  private apply(next: SessionState): SessionState {
    this.state = next;
    stored.saveState(this.storage.kv, next);
    return next;
  }

  private emit(item: ExecutionEvent): void {
    this.eventLog.append(item);
    this.notifier.notify();
  }

  private records(): ExecutionRecords {
    return new ExecutionRecords(createDb(this.database), this.current().plan.executionId);
  }

  /** The object as its run sees it. */
  private host(): RunHost {
    return {
      state: () => this.current(),
      apply: (next) => this.apply(next),
      emit: (item) => this.emit(item),
      records: () => this.records(),
      progress: () => this.eventLog.progress(),
      lastEventId: () => this.eventLog.lastId,
      now: () => this.now(),
      ended: async (state) => {
        this.notifier.notify();
        // The run is over: followers and replays read the stored log from here on.
        this.eventLog.releaseMemory();
        this.controller = undefined;
        const now = this.now();
        await this.ctx.storage.setAlarm(state.owesSnapshot ? now + D1_REPAIR_RETRY_MS : now + EVENT_LOG_RETENTION_MS);
      },
    };
  }

  /** Starts the run in this instance (or resumes an earlier instance's), with its heartbeat alarm. */
  private async launch(resume: boolean): Promise<void> {
    const { plan, deadline } = this.current();
    const controller = new AbortController();
    this.controller = controller;
    // `run` is set before the first await: state says running, so anyone finding no run would take it for dead.
    // The run must never reject unobserved: anything unexpected is logged.
    this.run = executeRun(this.host(), getConfig(this.env), controller, resume).catch((error: unknown) => {
      log("error", "run crashed", { executionId: plan.executionId, error: describeError(error) });
    });
    this.ctx.waitUntil(this.run);
    await this.ctx.storage.setAlarm(Math.min(deadline, this.now() + HEARTBEAT_MS));
  }

  /**
   * State says running but no run lives here: the object restarted mid-run (eviction, deploy,
   * crash). The run continues, unless a cancel was asked for or the cap has passed: then it ends.
   */
  private async recoverIfStale(): Promise<void> {
    const state = this.state;
    if (state?.status !== "running" || this.run) return;
    const stop = transition.stopAfterRestart(state, this.now());
    if (!stop) {
      log("warn", "resuming an execution whose run was interrupted", { executionId: state.plan.executionId });
      await this.launch(true);
      return;
    }
    log("warn", "finishing an execution whose run died", { executionId: state.plan.executionId, reason: stop.code });
    this.apply(transition.recordsOwed(state, true));
    this.run = finishRun(this.host(), stopEnding(stop, state.limitMs));
    await this.run;
  }

  private async repairRecords(): Promise<void> {
    const state = this.current();
    if (await repairRecords(this.records(), transition.snapshotOf(state, this.eventLog.outputs(), this.now()))) {
      this.apply(transition.recordsOwed(state, false));
      await this.ctx.storage.setAlarm((state.finishedAt ?? this.now()) + EVENT_LOG_RETENTION_MS);
    } else {
      await this.ctx.storage.setAlarm(this.now() + D1_REPAIR_RETRY_MS);
    }
  }

  /** Never started: expire the pending execution's records, then forget it. */
  private async expirePending(): Promise<void> {
    const expiry = stored.loadPendingExpiry(this.storage.kv);
    if (!expiry) return;
    if (
      await expirePendingRecords(new ExecutionRecords(createDb(this.database), expiry.executionId), expiry, this.now())
    )
      await this.ctx.storage.deleteAll();
    else await this.ctx.storage.setAlarm(this.now() + D1_REPAIR_RETRY_MS);
  }
}
