// One Durable Object per execution: runs the chain once, keeps the event log for replay, enforces
// the time cap with an alarm (which also keeps the run alive and detects a run that died), cancels.
import { DurableObject } from "cloudflare:workers";
import { createDb } from "../db/client";
import type { ExecutionStatus } from "../schemas/statuses";
import { getConfig } from "../lib/config";
import { describeError, log } from "../lib/log";
import { createModelResolver } from "../models";
import type { ExecutionPlan } from "../engine/plan";
import { ExecutionRecords } from "../db/execution-records";
import { event, type ExecutionEvent } from "../events/types";
import { type StreamFormat } from "../events/sse";
import { ChainRunner, type RunResult, type StopReason } from "../engine/chain-runner";
import { endingOf, stopEnding, type Ending } from "../engine/endings";
import { EventLog } from "./event-log";
import { ChangeNotifier, createEventStream } from "./event-stream";
import { initialState, snapshotOf, type SessionState } from "../engine/state";

/** The alarm fires at least this often while running: keeps the object alive, notices a dead run. */
export const HEARTBEAT_MS = 30_000;
/** How long a finished execution's event log is kept; replays are rebuilt from D1 after that. */
export const EVENT_LOG_RETENTION_MS = 24 * 60 * 60_000;
const D1_REPAIR_RETRY_MS = 10_000;
const STREAM_RETRY_MS = 2_000;
const PING_INTERVAL_MS = 10_000;

export interface SessionStatus {
  status: ExecutionStatus | "unknown";
  lastEventId: number;
  subscribers: number;
}

/** When a pending execution expires if nobody starts it. */
export interface PendingExpiry {
  executionId: string;
  createdAt: number;
  ttlMs: number;
}

export type OpenStreamResult = { kind: "stream"; stream: ReadableStream<Uint8Array> } | { kind: "finished" } | { kind: "unknown" };


export class ExecutionSession extends DurableObject<Env> {
  private eventLog: EventLog;
  private state: SessionState | undefined;
  private readonly notifier = new ChangeNotifier();
  /** The run (or recovery) in this instance; absent while state says running means the run died. */
  private run: Promise<void> | undefined;
  private controller: AbortController | undefined;
  private subscribers = 0;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.eventLog = new EventLog(ctx.storage.sql, ctx.storage.kv);
    const saved = ctx.storage.kv.get<Omit<SessionState, "plan">>("state");
    const plan = ctx.storage.kv.get<ExecutionPlan>("plan");
    this.state = saved && plan ? { ...saved, plan } : undefined;
  }

  /** Starts the run once; later calls (client retries) just report the status. */
  async start(plan: ExecutionPlan): Promise<SessionStatus> {
    if (this.state) {
      await this.recoverIfStale();
      return this.status();
    }
    const config = getConfig(this.env);
    const now = Date.now();
    const state = initialState(plan, now, config.maxExecutionMs);
    this.state = state;
    // The plan (every prompt's content) is written once; the small state is rewritten as the run moves.
    this.ctx.storage.kv.put("plan", plan);
    this.save();
    this.emit(event("execution.started", { executionId: plan.executionId, toolId: plan.toolId, toolName: plan.toolName, prompts: plan.prompts.map(({ id, name, position }) => ({ id, name, position })) }));
    this.controller = new AbortController();
    // `run` is set before the first await: state says running, so anyone finding no run would take it for dead.
    // The run must never reject unobserved: anything unexpected is logged.
    this.run = this.execute(state, this.controller).catch((error: unknown) => {
      log("error", "run crashed", { executionId: plan.executionId, error: describeError(error) });
    });
    this.ctx.waitUntil(this.run);
    await this.ctx.storage.setAlarm(Math.min(state.deadline, now + HEARTBEAT_MS));
    return this.status();
  }

  /**
   * A pending execution (created for the original endpoint to start later) expires at
   * `createdAt + ttlMs` unless started by then: the alarm cancels its records in D1.
   */
  async expirePendingAt(expiry: PendingExpiry): Promise<void> {
    if (this.state) return;
    this.ctx.storage.kv.put("pendingExpiry", expiry);
    await this.ctx.storage.setAlarm(expiry.createdAt + expiry.ttlMs);
  }

  /** A stream of the events after `afterId`, following live until the end. */
  async openStream(request: { afterId: number; format: StreamFormat }): Promise<OpenStreamResult> {
    if (!this.state) return { kind: "unknown" };
    await this.recoverIfStale();
    const state = this.state;
    if (state.terminalEventId !== null && request.afterId >= this.eventLog.lastId) return { kind: "finished" };
    this.subscribers++;
    const stream = createEventStream(
      { read: (afterId) => this.eventLog.readAfter(afterId), finished: () => this.state?.terminalEventId != null, notifier: this.notifier },
      {
        afterId: request.afterId,
        format: request.format,
        legacy: {
          executionId: state.plan.executionId,
          toolName: state.plan.toolName,
          promptIds: state.plan.prompts.map((prompt) => prompt.id),
          canceledPromptIds: () => Object.entries(this.state?.prompts ?? {}).flatMap(([id, prompt]) => (prompt.status === "canceled" ? [id] : [])),
        },
        retryMs: STREAM_RETRY_MS,
        pingIntervalMs: PING_INTERVAL_MS,
        maxConnectionMs: getConfig(this.env).streamMaxConnectionMs,
        onRelease: () => this.subscribers--,
      },
    );
    return { kind: "stream", stream };
  }

  /** Stops the model calls and ends the run as canceled; idempotent. */
  async cancel(): Promise<SessionStatus> {
    const state = this.state;
    if (state?.status !== "running") return this.status();
    state.cancelRequested = true;
    this.save();
    if (this.controller && this.run) {
      this.controller.abort({ code: "canceled", message: "Canceled by the user" } satisfies StopReason);
      await this.run;
    } else {
      await this.recoverIfStale();
    }
    return this.status();
  }

  status(): SessionStatus {
    return { status: this.state?.status ?? "unknown", lastEventId: this.eventLog.lastId, subscribers: this.subscribers };
  }

  override async alarm(): Promise<void> {
    const state = this.state;
    if (!state) return this.expirePending();
    const now = Date.now();
    if (state.status === "running") {
      if (!this.run) return this.recoverIfStale();
      if (now >= state.deadline) {
        this.controller?.abort({ code: "timed_out", message: `The execution exceeded its ${state.limitMs} ms limit` } satisfies StopReason);
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
    this.eventLog = new EventLog(this.ctx.storage.sql, this.ctx.storage.kv);
  }

  private save(): void {
    if (!this.state) return;
    const { plan: _plan, ...rest } = this.state;
    this.ctx.storage.kv.put("state", rest);
  }

  private emit(item: ExecutionEvent): void {
    this.eventLog.append(item);
    this.notifier.notify();
  }

  private manager(state: SessionState): ExecutionRecords {
    return new ExecutionRecords(createDb(this.env.DB), state.plan.executionId);
  }

  /** D1 could not be written mid-run: stop, and repair the records once D1 answers again. */
  private databaseFailed(state: SessionState, controller: AbortController, error: unknown): void {
    log("error", "D1 write failed during a run", { executionId: state.plan.executionId, error: describeError(error) });
    state.owesSnapshot = true;
    this.save();
    controller.abort({ code: "database_unavailable", message: "Progress could not be saved to the database, so the execution was stopped" } satisfies StopReason);
  }

  private async execute(state: SessionState, controller: AbortController): Promise<void> {
    const config = getConfig(this.env);
    const manager = this.manager(state);
    const runner = new ChainRunner({
      plan: state.plan,
      resolveModel: createModelResolver(config),
      idleTimeoutMs: config.promptIdleTimeoutMs,
      signal: controller.signal,
      emit: (item) => this.emit(item),
      onGroupStart: async (promptIds, at) => {
        for (const id of promptIds) Object.assign(state.prompts[id] ?? {}, { status: "running", startedAt: at });
        this.save();
        try {
          await manager.markPromptsRunning(promptIds, at);
        } catch (error) {
          this.databaseFailed(state, controller, error);
        }
      },
      onPromptEnd: async (promptId, outcome) => {
        Object.assign(state.prompts[promptId] ?? {}, { status: outcome.status, completedAt: outcome.completedAt, usage: outcome.usage, error: outcome.error });
        this.save();
        if (state.owesSnapshot) return;
        try {
          await manager.finishPrompt(promptId, outcome);
        } catch (error) {
          this.databaseFailed(state, controller, error);
        }
      },
    });
    let result: RunResult;
    try {
      result = await runner.run();
    } catch (error) {
      log("error", "run failed unexpectedly", { executionId: state.plan.executionId, error: describeError(error) });
      result = { status: "failed", error: { code: "internal", message: "The execution failed unexpectedly" }, usage: { inputTokens: 0, outputTokens: 0 } };
    }
    await this.finish(state, endingOf(state, result));
  }

  /** Records the end in D1 (or owes it), then stores the terminal event; subscribers then close. */
  private async finish(state: SessionState, ending: Ending): Promise<void> {
    const now = Date.now();
    const promptsOpen = Object.values(state.prompts).some((prompt) => prompt.status === "pending" || prompt.status === "running");
    for (const [promptId, prompt] of Object.entries(state.prompts)) {
      if (prompt.status === "pending") prompt.status = "skipped";
      if (prompt.status === "running") {
        Object.assign(prompt, { status: ending.runningBecomes, completedAt: now, error: ending.error });
        if (ending.runningBecomes === "failed" && ending.error) this.emit(event("prompt.failed", { promptId, error: ending.error }));
      }
    }
    Object.assign(state, { status: ending.status, error: ending.error, finishedAt: now });
    this.save();
    const manager = this.manager(state);
    try {
      if (state.owesSnapshot) await manager.writeSnapshot(snapshotOf(state, this.eventLog.outputs()));
      else await manager.finishExecution(ending.status, ending.error, now, ending.runningBecomes, promptsOpen);
      state.owesSnapshot = false;
    } catch (error) {
      log("error", "D1 final write failed; will retry from the alarm", { executionId: state.plan.executionId, error: describeError(error) });
      state.owesSnapshot = true;
    }
    this.emit(ending.terminal);
    state.terminalEventId = this.eventLog.lastId;
    this.save();
    this.notifier.notify();
    log("info", "execution finished", {
      executionId: state.plan.executionId,
      toolId: state.plan.toolId,
      userId: state.plan.ownerId,
      status: ending.status,
      errorCode: ending.error?.code ?? null,
      durationMs: now - state.startedAt,
      prompts: Object.fromEntries(state.plan.prompts.map((prompt) => [prompt.name, state.prompts[prompt.id]?.status])),
      events: this.eventLog.lastId,
      recordsOwed: state.owesSnapshot,
    });
    // The run is over: followers and replays read the stored log from here on.
    this.eventLog.releaseMemory();
    this.controller = undefined;
    await this.ctx.storage.setAlarm(state.owesSnapshot ? now + D1_REPAIR_RETRY_MS : now + EVENT_LOG_RETENTION_MS);
  }

  /** State says running but no run lives here: the object restarted mid-run. Finish the records. */
  private async recoverIfStale(): Promise<void> {
    const state = this.state;
    if (!state || state.status !== "running") return;
    if (this.run) return;
    log("warn", "finishing an execution whose run died", { executionId: state.plan.executionId });
    state.owesSnapshot = true;
    const reason = state.cancelRequested
      ? ({ code: "canceled", message: "Canceled by the user" } as const)
      : Date.now() >= state.deadline
        ? ({ code: "timed_out", message: `The execution exceeded its ${state.limitMs} ms limit` } as const)
        : ({ code: "interrupted", message: "The execution was interrupted (its worker restarted) and could not finish" } as const);
    this.run = this.finish(state, stopEnding(state, reason));
    await this.run;
  }

  /** Never started: expire the pending execution's records, then forget it. */
  private async expirePending(): Promise<void> {
    const expiry = this.ctx.storage.kv.get<PendingExpiry>("pendingExpiry");
    if (!expiry) return;
    try {
      await new ExecutionRecords(createDb(this.env.DB), expiry.executionId).expirePending(expiry.createdAt, Date.now(), expiry.ttlMs);
      await this.ctx.storage.deleteAll();
    } catch (error) {
      log("warn", "D1 unavailable; pending expiry postponed", { executionId: expiry.executionId, error: describeError(error) });
      await this.ctx.storage.setAlarm(Date.now() + D1_REPAIR_RETRY_MS);
    }
  }

  private async repairRecords(): Promise<void> {
    const state = this.state;
    if (!state) return;
    try {
      await this.manager(state).writeSnapshot(snapshotOf(state, this.eventLog.outputs()));
      state.owesSnapshot = false;
      this.save();
      await this.ctx.storage.setAlarm((state.finishedAt ?? Date.now()) + EVENT_LOG_RETENTION_MS);
    } catch (error) {
      log("warn", "D1 still unavailable; record repair postponed", { executionId: state.plan.executionId, error: describeError(error) });
      await this.ctx.storage.setAlarm(Date.now() + D1_REPAIR_RETRY_MS);
    }
  }
}
