// Execution use cases: create (rate limit, concurrency, inputs, idempotency), start a pending one,
// read, list, cancel, and open the event stream. Each run is handed to its own Durable Object.
import type { Database } from "../db/client";
import {
  type ExecutionListQuery,
  findOwnExecution,
  findPromptResults,
  insertExecutionWithinLimit,
  type ListedExecution,
  listExecutions,
  markPendingRunning,
  type SlotLimits,
} from "../db/execution-queries";
import type { ExecutionRow, PromptResultRow, ToolRecord } from "../db/schema";
import { findReadableTool } from "../db/tool-queries";
import type { ExecutionSession } from "../durable/execution-session";
import type { ExecutionPlan } from "../engine/plan";
import type { StreamFormat } from "../events/sse";
import type { Config } from "../lib/config";
import { AppError, notFound } from "../lib/errors";
import { assertSameInputs, resolveInputs } from "../schemas/inputs";
import type { ExecutionStatus } from "../schemas/statuses";
import type { ToolBody } from "../schemas/tool";
import {
  assertBudgetCovers,
  assertBudgetsCountable,
  assertDailyBudgetCovers,
  type Budget,
  firstCallsNeed,
} from "./budgets";
import { draftFromBody } from "./draft-runs";
import { eventsResponse } from "./event-responses";
import { draftFromTool, type ExecutionDraft, fieldsOf, newExecutionRow, planFor } from "./execution-plans";
import { type IdempotencyKey, idempotencyKeyOf, replayed } from "./idempotency";
import { PendingExecutions } from "./pending-executions";
import { draftRerun, type RerunRequest } from "./reruns";
import { slotLimits, startSession, tooManyExecutions } from "./sessions";

const RATE_LIMIT_PERIOD_SECONDS = 60;

export interface CreateRequest {
  toolId: string;
  inputs: Record<string, unknown>;
  idempotencyKey: string | null;
  /** false creates a pending execution for the original endpoint to start later. */
  start: boolean;
  /** Held to the tool's budget too: the lower applies. */
  budget?: Budget;
}

/** A run of an unsaved tool body (SPEC §5, the editor's "Try it"): always starts at once. */
export interface DraftCreateRequest {
  draft: ToolBody;
  inputs: Record<string, unknown>;
  idempotencyKey: string | null;
  /** Held to the draft's budget too: the lower applies. */
  budget?: Budget;
}

export interface Created {
  execution: ExecutionRow;
  status: ExecutionStatus;
  /** An earlier create with the same Idempotency-Key made it. */
  replayed: boolean;
}

export class ExecutionService {
  private readonly pending: PendingExecutions;

  constructor(
    private readonly env: Env,
    private readonly db: Database,
    private readonly config: Config,
  ) {
    this.pending = new PendingExecutions(db, config.pendingTtlMs);
  }

  /** Creates an execution (or returns the one this Idempotency-Key already made) and, unless told not to, starts it. */
  async create(userId: string, request: CreateRequest): Promise<Created> {
    const key = idempotencyKeyOf(request.idempotencyKey, "create", request);
    const replay = await replayed(this.db, userId, key, request);
    if (replay) return replay;
    const tool = await findReadableTool(this.db, request.toolId, userId);
    if (!tool) throw notFound("Tool");
    const values = resolveInputs(fieldsOf(tool), request.inputs);
    return this.insertAndStart(userId, draftFromTool(tool, request.inputs, values, request.budget), key, request.start);
  }

  /** Runs an unsaved tool, checked as a save checks it; its record has `toolId: null` and the draft's name. */
  async createFromDraft(userId: string, request: DraftCreateRequest): Promise<Created> {
    const key = idempotencyKeyOf(request.idempotencyKey, "create", request);
    const replay = await replayed(this.db, userId, key);
    if (replay) return replay;
    const draft = draftFromBody(request.draft, request.inputs, this.config.models, request.budget);
    return this.insertAndStart(userId, draft, key, true);
  }

  /**
   * Reruns an ended execution of the caller's from a step (docs/api.md, "Rerun from a step"): its own
   * plan, inputs merged over the source's, per-prompt overrides; prompts before `fromPromptId` whose
   * request is unchanged are reused.
   */
  async rerun(
    userId: string,
    sourceId: string,
    request: RerunRequest,
    idempotencyKey: string | null,
  ): Promise<Created> {
    const key = idempotencyKeyOf(idempotencyKey, "rerun", { sourceId, ...request });
    const replay = await replayed(this.db, userId, key);
    if (replay) return replay;
    const source = await this.findOwn(userId, sourceId);
    if (!source) throw notFound("Execution");
    if (source.status === "pending" || source.status === "running") {
      throw new AppError("conflict", `The execution is ${source.status}; rerun it once it has ended`);
    }
    const draft = draftRerun(source, await findPromptResults(this.db, source.id), request, this.config.models);
    return this.insertAndStart(userId, draft, key, true);
  }

  /** Applies the rate limit, inserts the execution within the concurrency limit, then starts it (or leaves it pending). */
  private async insertAndStart(
    userId: string,
    draft: ExecutionDraft,
    key: IdempotencyKey,
    start: boolean,
  ): Promise<Created> {
    assertBudgetsCountable(this.config, draft.budgetMicros, draft.prompts, (i) => `prompts.${draft.prompts[i]?.id}`);
    const need = await this.firstCallsNeed(draft);
    assertBudgetCovers(draft.budgetMicros, need);
    const { success } = await this.env.EXECUTION_RATE_LIMITER.limit({ key: userId });
    if (!success)
      throw new AppError("rate_limited", "Too many executions started; try again shortly", {
        retryAfter: RATE_LIMIT_PERIOD_SECONDS,
      });
    const id = crypto.randomUUID();
    const createdAt = Date.now();
    // A pending execution is checked against the day now and again when it starts.
    await assertDailyBudgetCovers(this.db, this.config, userId, need, createdAt);
    const execution = newExecutionRow(draft, {
      id,
      ownerId: userId,
      status: start ? "running" : "pending",
      key,
      durableObjectId: this.env.EXECUTION_SESSION.idFromName(id).toString(),
      createdAt,
    });
    const outcome = await insertExecutionWithinLimit(
      this.db,
      { ...execution, inputFields: draft.inputFields, prompts: draft.prompts },
      this.limits(),
    );
    if (outcome === "idempotency_conflict") {
      const raced = await replayed(this.db, userId, key);
      if (raced) return raced;
    }
    if (outcome !== "created") throw this.tooManyExecutions();
    if (!start) {
      await this.pending.scheduleExpiry(this.stub(id), execution);
      return { execution, status: execution.status, replayed: false };
    }
    return { execution, status: await this.start(execution, planFor(execution, draft)), replayed: false };
  }

  /**
   * The caller's execution, or undefined. A pending one past `PENDING_TTL_MS` is expired on the way
   * (its object's alarm does the same on time; this covers a read that comes first).
   */
  async findOwn(userId: string, executionId: string): Promise<ExecutionRow | undefined> {
    const execution = await findOwnExecution(this.db, executionId, userId);
    if (!execution || !this.pending.isStale(execution)) return execution;
    await this.pending.expire(execution);
    return findOwnExecution(this.db, executionId, userId);
  }

  /** The caller's execution with its prompt results in run order; `not_found` for anyone else's. */
  async record(userId: string, executionId: string): Promise<{ execution: ExecutionRow; results: PromptResultRow[] }> {
    let execution = await this.findOwn(userId, executionId);
    if (!execution) throw notFound("Execution");
    if (execution.status === "running") {
      // A status read finds a run whose object restarted: it resumes (or ends) before the answer.
      const { status } = await this.stub(execution.id).wake();
      if (status !== "running") execution = (await this.findOwn(userId, executionId)) ?? execution;
    }
    return { execution, results: await findPromptResults(this.db, execution.id) };
  }

  /** The caller's executions, newest first, with stale pending ones expired on the way. */
  async list(userId: string, query: ExecutionListQuery): Promise<ListedExecution[]> {
    const rows = await listExecutions(this.db, userId, query);
    const stale = rows.filter((row) => this.pending.isStale(row));
    if (stale.length === 0) return rows;
    await Promise.all(stale.map((row) => this.pending.expire(row)));
    return listExecutions(this.db, userId, query);
  }

  /**
   * The original endpoint with an `executionId`: starts it when pending, else attaches to its run.
   * `sentInputs`, when given, must match the stored inputs.
   */
  async attach(
    userId: string,
    execution: ExecutionRow,
    sentInputs: Record<string, unknown> | undefined,
  ): Promise<void> {
    if (execution.error?.code === "expired") throw this.pending.expiredConflict();
    if (execution.status !== "pending" && sentInputs === undefined) return;
    // A draft run has no saved tool to check the inputs against (and is never pending).
    const tool = execution.toolId === null ? undefined : await findReadableTool(this.db, execution.toolId, userId);
    if (!tool) throw notFound("Tool");
    if (sentInputs !== undefined) assertSameInputs(fieldsOf(tool), execution.inputs, sentInputs);
    if (execution.status === "pending") await this.startPending(execution, tool);
  }

  /** An SSE response with the events after `afterId`: live, replayed, or rebuilt from D1. */
  events(
    execution: ExecutionRow,
    afterId: number,
    format: StreamFormat,
    headers: Record<string, string> = {},
  ): Promise<Response> {
    return eventsResponse({ stub: this.stub(execution.id), db: this.db }, execution, { afterId, format, headers });
  }

  /** Cancels a running execution (its object aborts the model calls) or a pending one; idempotent. Returns the status after. */
  async cancel(userId: string, executionId: string): Promise<ExecutionStatus> {
    const execution = await this.findOwn(userId, executionId);
    if (!execution) throw notFound("Execution");
    if (execution.status === "pending") {
      await this.pending.cancel(execution);
    } else {
      await this.stub(execution.id).cancel();
    }
    return (await findOwnExecution(this.db, execution.id, userId))?.status ?? execution.status;
  }

  /** Starts a pending execution that was created earlier (the original endpoint's flow). */
  private async startPending(execution: ExecutionRow, tool: ToolRecord): Promise<void> {
    const results = await findPromptResults(this.db, execution.id);
    const sameChain =
      results.length === tool.prompts.length && results.every((result, i) => result.promptId === tool.prompts[i]?.id);
    if (!sameChain)
      throw new AppError("conflict", "The tool's prompts changed since this execution was created; create a new one");
    const draft = draftFromTool(tool, execution.inputs, resolveInputs(fieldsOf(tool), execution.inputs));
    // The budget it was created with holds, whatever the tool's budget is now.
    const held = { ...draft, budgetMicros: execution.budgetMicros };
    const plan = planFor(execution, held);
    const need = await this.firstCallsNeed(held);
    await assertDailyBudgetCovers(this.db, this.config, execution.ownerId, need, Date.now());
    // Only the request that flips pending → running starts it; a concurrent one just attaches.
    const outcome = await markPendingRunning(this.db, execution, Date.now(), this.limits());
    if (outcome === "started") await this.start(execution, plan);
    if (outcome === "limit_reached") throw this.tooManyExecutions();
    if (outcome === "expired") {
      await this.pending.expire(execution);
      throw this.pending.expiredConflict();
    }
  }

  /** Hands the plan to the execution's object; returns the status it reports. */
  private start(execution: ExecutionRow, plan: ExecutionPlan): Promise<ExecutionStatus> {
    return startSession(this.stub(execution.id), this.db, execution.id, plan);
  }

  private stub(executionId: string): DurableObjectStub<ExecutionSession> {
    return this.env.EXECUTION_SESSION.get(this.env.EXECUTION_SESSION.idFromName(executionId));
  }

  /** What the first calls must be able to pay (only counted when a budget or the daily cap applies). */
  private firstCallsNeed(draft: ExecutionDraft): Promise<number> {
    if (draft.budgetMicros === null && this.config.userDailyBudgetMicros <= 0) return Promise.resolve(0);
    return firstCallsNeed(this.config, draft, new Map([...draft.sourceOutputs, ...draft.values]));
  }

  private limits(): SlotLimits {
    return slotLimits(this.config);
  }

  private tooManyExecutions(): AppError {
    return tooManyExecutions(this.config);
  }
}
