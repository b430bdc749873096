// Creates executions (rate limit, concurrency, inputs, idempotency), hands them to their Durable
// Object, and opens their event streams. Routes stay thin; this is where the flow lives.
import type { Database } from "../db/client";
import {
  findExecutionByIdempotencyKey,
  findOwnExecution,
  findPromptResults,
  insertExecutionWithinLimit,
  listExecutions,
  markPendingRunning,
  type ExecutionListQuery,
  type SlotLimits,
} from "../db/execution-queries";
import type { ExecutionRow, ExecutionStatus } from "../db/schema";
import { findReadableTool, type ToolRecord } from "../db/tool-queries";
import type { ExecutionSession } from "../durable/execution-session";
import type { Config } from "../lib/config";
import { AppError, notFound } from "../lib/errors";
import { assertSameInputs, resolveInputs } from "../lib/input-validation";
import { describeError, log } from "../lib/log";
import { ExecutionManager } from "./execution-manager";
import type { ExecutionPlan } from "./execution-plan";
import { replayFromRecords } from "./replay-from-records";
import type { StreamFormat } from "./sse-events";

export const SSE_HEADERS = {
  "Content-Type": "text/event-stream; charset=utf-8",
  "Cache-Control": "no-cache, no-transform",
  "X-Accel-Buffering": "no",
} as const;

const RATE_LIMIT_PERIOD_SECONDS = 60;

export interface CreateRequest {
  toolId: string;
  inputs: Record<string, unknown>;
  idempotencyKey: string | null;
}

export class StreamingService {
  constructor(
    private readonly env: Env,
    private readonly db: Database,
    private readonly config: Config,
  ) {}

  stub(executionId: string): DurableObjectStub<ExecutionSession> {
    return this.env.EXECUTION_SESSION.get(this.env.EXECUTION_SESSION.idFromName(executionId));
  }

  /** Creates an execution (or returns the one this Idempotency-Key already made) and, unless told not to, starts it. */
  async create(userId: string, request: CreateRequest, start: boolean): Promise<{ execution: ExecutionRow; status: ExecutionStatus; replayed: boolean }> {
    if (request.idempotencyKey) {
      const existing = await findExecutionByIdempotencyKey(this.db, userId, request.idempotencyKey);
      if (existing) return { execution: this.sameRequest(existing, request), status: existing.status, replayed: true };
    }
    const tool = await findReadableTool(this.db, request.toolId, userId);
    if (!tool) throw notFound("Tool");
    const values = resolveInputs(this.fieldsOf(tool), request.inputs);
    const { success } = await this.env.EXECUTION_RATE_LIMITER.limit({ key: userId });
    if (!success) throw new AppError("rate_limited", "Too many executions started; try again shortly", { retryAfter: RATE_LIMIT_PERIOD_SECONDS });
    const id = crypto.randomUUID();
    const createdAt = Date.now();
    const durableObjectId = this.env.EXECUTION_SESSION.idFromName(id).toString();
    const execution: ExecutionRow & { status: "pending" | "running" } = {
      id,
      ownerId: userId,
      toolId: tool.tool.id,
      toolName: tool.tool.name,
      status: start ? "running" : "pending",
      inputs: request.inputs,
      error: null,
      idempotencyKey: request.idempotencyKey,
      durableObjectId,
      createdAt,
      startedAt: start ? createdAt : null,
      completedAt: null,
    };
    const outcome = await insertExecutionWithinLimit(this.env.DB, { ...execution, durableObjectId, prompts: tool.prompts }, this.limits());
    if (outcome === "idempotency_conflict" && request.idempotencyKey) {
      const existing = await findExecutionByIdempotencyKey(this.db, userId, request.idempotencyKey);
      if (existing) return { execution: this.sameRequest(existing, request), status: existing.status, replayed: true };
    }
    if (outcome !== "created") throw this.tooManyExecutions();
    if (!start) await this.schedulePendingExpiry(execution);
    const status = start ? await this.start(execution, this.planFor(execution, tool, values)) : execution.status;
    return { execution, status, replayed: false };
  }

  /**
   * The caller's execution, or undefined. A pending one past `PENDING_TTL_MS` is expired on the way
   * (its object's alarm does the same on time; this covers a read that comes first).
   */
  async findOwn(userId: string, executionId: string): Promise<ExecutionRow | undefined> {
    const execution = await findOwnExecution(this.db, executionId, userId);
    if (!execution || !this.isStalePending(execution)) return execution;
    await this.expire(execution);
    return findOwnExecution(this.db, executionId, userId);
  }

  /** The caller's executions, newest first, with stale pending ones expired on the way. */
  async list(userId: string, query: ExecutionListQuery): Promise<ExecutionRow[]> {
    const rows = await listExecutions(this.db, userId, query);
    const stale = rows.filter((row) => this.isStalePending(row));
    if (stale.length === 0) return rows;
    await Promise.all(stale.map((row) => this.expire(row)));
    return listExecutions(this.db, userId, query);
  }

  /**
   * The original endpoint with an `executionId`: starts it when pending, else attaches to its run.
   * `sentInputs`, when given, must match the stored inputs.
   */
  async attach(userId: string, execution: ExecutionRow, sentInputs: Record<string, unknown> | undefined): Promise<void> {
    if (execution.error?.code === "expired") throw this.expiredConflict();
    if (execution.status !== "pending" && sentInputs === undefined) return;
    const tool = await findReadableTool(this.db, execution.toolId, userId);
    if (!tool) throw notFound("Tool");
    if (sentInputs !== undefined) assertSameInputs(this.fieldsOf(tool), execution.inputs, sentInputs);
    if (execution.status === "pending") await this.startPending(execution, tool);
  }

  /** Starts a pending execution that was created earlier (the original endpoint's flow). */
  private async startPending(execution: ExecutionRow, tool: ToolRecord): Promise<void> {
    const results = await findPromptResults(this.db, execution.id);
    const sameChain = results.length === tool.prompts.length && results.every((result, i) => result.promptId === tool.prompts[i]?.id);
    if (!sameChain) throw new AppError("conflict", "The tool's prompts changed since this execution was created; create a new one");
    const plan = this.planFor(execution, tool, resolveInputs(this.fieldsOf(tool), execution.inputs));
    // Only the request that flips pending → running starts it; a concurrent one just attaches.
    const outcome = await markPendingRunning(this.env.DB, execution, Date.now(), this.limits());
    if (outcome === "started") await this.start(execution, plan);
    if (outcome === "limit_reached") throw this.tooManyExecutions();
    if (outcome === "expired") {
      await this.expire(execution);
      throw this.expiredConflict();
    }
  }

  private limits(): SlotLimits {
    return { maxConcurrent: this.config.maxConcurrentExecutions, pendingTtlMs: this.config.pendingTtlMs };
  }

  private tooManyExecutions(): AppError {
    return new AppError("too_many_executions", `You already have ${this.config.maxConcurrentExecutions} executions running; wait for one to finish`, {
      retryAfter: 5,
    });
  }

  private expiredConflict(): AppError {
    return new AppError("conflict", `This execution was not started within ${this.config.pendingTtlMs} ms of its creation and has expired; create a new one`);
  }

  private isStalePending(execution: ExecutionRow): boolean {
    return execution.status === "pending" && execution.createdAt <= Date.now() - this.config.pendingTtlMs;
  }

  private expire(execution: ExecutionRow): Promise<boolean> {
    return new ExecutionManager(this.db, execution.id).expirePending(execution.createdAt, Date.now(), this.config.pendingTtlMs);
  }

  /** The object's alarm expires the pending execution on time even if nobody reads it again. */
  private async schedulePendingExpiry(execution: ExecutionRow): Promise<void> {
    try {
      await this.stub(execution.id).expirePendingAt({ executionId: execution.id, createdAt: execution.createdAt, ttlMs: this.config.pendingTtlMs });
    } catch (error) {
      // The next read expires it instead; the slot is never held past the TTL either way.
      log("warn", "could not schedule a pending execution's expiry", { executionId: execution.id, error: describeError(error) });
    }
  }

  /** An SSE response with the events after `afterId`: live, replayed, or rebuilt from D1. */
  async eventsResponse(execution: ExecutionRow, afterId: number, format: StreamFormat, headers: Record<string, string> = {}): Promise<Response> {
    const opened = await this.stub(execution.id).openStream({ afterId, format });
    if (opened.kind === "finished") return new Response(null, { status: 204, headers });
    if (opened.kind === "stream") return new Response(opened.stream, { headers: { ...SSE_HEADERS, ...headers } });
    if (execution.status === "pending") throw new AppError("conflict", "The execution has not started");
    // The object's log is gone (retention): rebuild the events from the records.
    const body = replayFromRecords(execution, await findPromptResults(this.db, execution.id), afterId, format);
    return body === null ? new Response(null, { status: 204, headers }) : new Response(body, { headers: { ...SSE_HEADERS, ...headers } });
  }

  /** Cancels a running execution (its object aborts the model calls) or a pending one; idempotent. */
  async cancel(execution: ExecutionRow): Promise<void> {
    if (execution.status === "pending") {
      await new ExecutionManager(this.db, execution.id).finishExecution("canceled", null, Date.now(), "canceled");
      return;
    }
    await this.stub(execution.id).cancel();
  }

  /** Hands the plan to the execution's object; returns the status it reports. */
  private async start(execution: ExecutionRow, plan: ExecutionPlan): Promise<ExecutionStatus> {
    try {
      const { status } = await this.stub(execution.id).start(plan);
      return status === "unknown" ? "pending" : status;
    } catch (error) {
      log("error", "could not start the execution's Durable Object", { executionId: execution.id, error: describeError(error) });
      // Nothing ran: the execution fails and every prompt is skipped, so no record stays pending.
      await new ExecutionManager(this.db, execution.id).finishExecution("failed", { code: "internal", message: "The execution could not be started" }, Date.now(), "failed");
      throw new AppError("internal", "The execution could not be started", { cause: error });
    }
  }

  private planFor(execution: ExecutionRow, tool: ToolRecord, values: Map<string, string>): ExecutionPlan {
    return {
      executionId: execution.id,
      ownerId: execution.ownerId,
      toolId: tool.tool.id,
      toolName: tool.tool.name,
      onPromptError: tool.tool.onPromptError,
      prompts: tool.prompts.map(({ id, name, position, ordinal, model, systemContext, content, temperature, maxTokens }) => ({
        id,
        name,
        position,
        ordinal,
        model,
        systemContext,
        content,
        temperature,
        maxTokens,
      })),
      values: Object.fromEntries(values),
    };
  }

  private fieldsOf(tool: ToolRecord) {
    return tool.inputFields.map((field) => ({ name: field.name, label: field.label, type: field.type, required: field.required, options: field.options }));
  }

  /** An Idempotency-Key reused for a different request is a conflict, not a replay. */
  private sameRequest(existing: ExecutionRow, request: CreateRequest): ExecutionRow {
    if (existing.toolId !== request.toolId || JSON.stringify(existing.inputs) !== JSON.stringify(request.inputs)) {
      throw new AppError("conflict", "This Idempotency-Key was already used for a different request");
    }
    return existing;
  }
}
