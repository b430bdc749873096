// One Durable Object per execution: runs the chain once, keeps the event log for replay, enforces
// the time cap with an alarm (which also keeps the run alive and detects a run that died), cancels.
// Every change to the run's state is a pure function from engine/state.ts; the object applies it.
import { DurableObject } from "cloudflare:workers";
import { createDb } from "../db/client";
import { findPromptOutput } from "../db/execution-queries";
import { ExecutionRecords } from "../db/execution-records";
import type { ExecutionPlan } from "../engine/plan";
import type { SessionState } from "../engine/state";
import * as transition from "../engine/state";
import { canceledByUser, timedOut } from "../engine/stop-reasons";
import { legacyContext } from "../events/legacy";
import type { StreamFormat } from "../events/sse";
import { type ExecutionEvent, event } from "../events/types";
import { getConfig } from "../lib/config";
import { EventLog } from "./event-log";
import { ChangeNotifier, createEventStream } from "./event-stream";
import { expirePendingRecords, repairRecords } from "./final-records";
import { HEARTBEAT_MS, RunSupervisor, type SupervisorHost } from "./run-supervisor";
import type { PendingExpiry, SessionStorage } from "./session-storage";
import * as stored from "./session-storage";
import type { OpenStreamResult, SessionInternals, SessionStatus } from "./session-types";

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
  private readonly supervisor: RunSupervisor;
  private subscribers = 0;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.storage = { sql: ctx.storage.sql, kv: ctx.storage.kv };
    this.database = env.DB;
    this.eventLog = new EventLog(this.storage.sql, this.storage.kv);
    this.state = stored.loadState(this.storage.kv);
    this.supervisor = new RunSupervisor(this.host());
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
        sourceExecutionId: plan.sourceExecutionId,
        fromPromptId: plan.fromPromptId,
      }),
    );
    await this.supervisor.launch(false);
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
    if (!(await this.supervisor.stop(canceledByUser()))) await this.recoverIfStale();
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
      if (!this.supervisor.alive) return this.recoverIfStale();
      if (now >= state.deadline) {
        await this.supervisor.stop(timedOut(state.limitMs));
        return;
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
  private host(): SupervisorHost {
    return {
      state: () => this.current(),
      apply: (next) => this.apply(next),
      emit: (item) => this.emit(item),
      records: () => this.records(),
      sourceOutput: async (promptId) => {
        const source = this.current().plan.sourceExecutionId;
        return source === null ? undefined : findPromptOutput(createDb(this.database), source, promptId);
      },
      progress: () => this.eventLog.progress(),
      lastEventId: () => this.eventLog.lastId,
      now: () => this.now(),
      config: () => getConfig(this.env),
      setAlarm: (at) => this.ctx.storage.setAlarm(at),
      waitUntil: (work) => this.ctx.waitUntil(work),
      ended: async (state) => {
        this.notifier.notify();
        // The run is over: followers and replays read the stored log from here on.
        this.eventLog.releaseMemory();
        const now = this.now();
        await this.ctx.storage.setAlarm(state.owesSnapshot ? now + D1_REPAIR_RETRY_MS : now + EVENT_LOG_RETENTION_MS);
      },
    };
  }

  /** A run that died with an earlier instance continues (or ends); see RunSupervisor. */
  private async recoverIfStale(): Promise<void> {
    if (this.state) await this.supervisor.recoverIfStale();
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
