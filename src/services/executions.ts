// Execution use cases: create (inputs, budgets, the rate limit, then one admission by the owner's
// account), rerun, the original endpoint (start and stream in one call), follow, read, list, cancel.
// The only D1 access before a model call is the tool read; each run's object is its source of truth
// and writes D1's index off the run's path.
import type { Database } from "../db/client";
import type { ExecutionListQuery } from "../db/execution-queries";
import type { ExecutionSummary } from "../db/execution-summary";
import type { ToolRecord } from "../db/schema";
import type { OpenStreamResult, StreamRequest } from "../durable/session-types";
import { draftFromTool, type ExecutionDraft, fieldsOf, newSummary, planFor } from "../engine/execution-drafts";
import type { StreamFormat } from "../events/sse";
import type { Config } from "../lib/config";
import { AppError, notFound } from "../lib/errors";
import { describeError, log } from "../lib/log";
import { assertSameInputs, resolveInputs } from "../schemas/inputs";
import type { ExecutionStatus } from "../schemas/statuses";
import { agentStepOf, type ToolBody } from "../schemas/tool";
import { userAccount } from "./accounts";
import { admit, beforeCreate, startPending } from "./admission";
import { assertBudgetCovers, assertBudgetsCountable, type Budget, firstCallsNeed } from "./budgets";
import { draftFromBody } from "./draft-runs";
import { eventsResponse, openedResponse } from "./event-responses";
import { type ExecutionRecord, executionObject, findRecord, listRecords } from "./execution-reads";
import { type IdempotencyKey, idempotencyKeyOf } from "./idempotency";
import { draftRerun, type RerunRequest } from "./reruns";
import { readTool } from "./tools";

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

/** A run of an unsaved tool body (the editor's "Try it"): always starts at once. */
export interface DraftCreateRequest {
  draft: ToolBody;
  inputs: Record<string, unknown>;
  idempotencyKey: string | null;
  /** Held to the draft's budget too: the lower applies. */
  budget?: Budget;
}

export interface Created {
  id: string;
  status: ExecutionStatus;
  /** An earlier create with the same Idempotency-Key made it. */
  replayed: boolean;
}

/** The original endpoint's request: a new execution, or the caller's pending one. */
export interface StreamCall {
  toolId: string;
  inputs?: Record<string, unknown>;
  executionId?: string;
  idempotencyKey: string | null;
  afterId: number;
}

export class ExecutionService {
  constructor(
    private readonly env: Env,
    private readonly db: Database,
    private readonly config: Config,
  ) {}

  /** Creates an execution (or returns the one this Idempotency-Key already made) and, unless told not to, starts it. */
  async create(userId: string, request: CreateRequest): Promise<Created> {
    const key = idempotencyKeyOf(request.idempotencyKey, "create", request);
    const earlier = await beforeCreate(this.env, this.config, userId, key);
    if (earlier.replayOf) return this.replayOf(earlier.replayOf);
    const draft = await this.draftOf(userId, request, earlier.toolsBookmark);
    return this.admitAndStart(userId, draft, key, request.start);
  }

  /** Runs an unsaved tool, checked as a save checks it; its record has `toolId: null` and the draft's name. */
  async createFromDraft(userId: string, request: DraftCreateRequest): Promise<Created> {
    const key = idempotencyKeyOf(request.idempotencyKey, "create", request);
    const earlier = await beforeCreate(this.env, this.config, userId, key);
    if (earlier.replayOf) return this.replayOf(earlier.replayOf);
    const draft = await draftFromBody(
      request.draft,
      request.inputs,
      this.config.models,
      { db: this.db, mcp: this.config.mcp, userId },
      request.budget,
    );
    return this.admitAndStart(userId, draft, key, true);
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
    const earlier = await beforeCreate(this.env, this.config, userId, key);
    if (earlier.replayOf) return this.replayOf(earlier.replayOf);
    const source = await findRecord(this.env, this.db, userId, sourceId);
    if (!source) throw notFound("Execution");
    const { status } = source.execution;
    if (status === "pending" || status === "running") {
      throw new AppError("conflict", `The execution is ${status}; rerun it once it has ended`);
    }
    const draft = draftRerun(source.execution, source.results, request, this.config.models);
    const admitted = await this.admit(userId, draft, key, true);
    if (admitted.replayOf) return this.replayOf(admitted.replayOf);
    const stub = executionObject(this.env, admitted.plan.executionId);
    const started = await this.started(userId, admitted.plan.executionId, () => stub.start(admitted.plan));
    return {
      id: admitted.plan.executionId,
      status: started.status === "unknown" ? "running" : started.status,
      replayed: false,
    };
  }

  /**
   * The original endpoint: a new execution started and streamed in one call to its object, or the
   * caller's pending one started (its inputs, when sent, must be the ones it was created with), or an
   * already started one followed (a retried request attaches to the same run, never a second one).
   */
  async stream(userId: string, call: StreamCall): Promise<{ id: string; response: Response }> {
    const request: StreamRequest = { afterId: call.afterId, format: "legacy" };
    if (call.executionId !== undefined) {
      const existing = await findRecord(this.env, this.db, userId, call.executionId);
      if (!existing) throw notFound("Execution");
      const { execution } = existing;
      if (execution.toolId !== call.toolId)
        throw new AppError("validation_failed", "executionId belongs to another tool");
      if (call.inputs !== undefined) assertSameInputs(execution.inputFields ?? [], execution.inputs, call.inputs);
      if (execution.status === "pending") await this.startPending(userId, existing);
      return {
        id: execution.id,
        response: await this.events(userId, execution.id, call.afterId, "legacy", execution.id),
      };
    }
    const create = { toolId: call.toolId, inputs: call.inputs ?? {}, idempotencyKey: call.idempotencyKey, start: true };
    const key = idempotencyKeyOf(call.idempotencyKey, "create", create);
    const earlier = await beforeCreate(this.env, this.config, userId, key);
    if (earlier.replayOf)
      return {
        id: earlier.replayOf,
        response: await this.events(userId, earlier.replayOf, call.afterId, "legacy", earlier.replayOf),
      };
    const admitted = await this.admit(userId, await this.draftOf(userId, create, earlier.toolsBookmark), key, true);
    const id = admitted.replayOf ?? admitted.plan.executionId;
    if (admitted.replayOf) return { id, response: await this.events(userId, id, call.afterId, "legacy", id) };
    const opened = await this.started<OpenStreamResult>(userId, id, async () =>
      executionObject(this.env, id).startAndOpen(admitted.plan, request),
    );
    const response = openedResponse(opened, { "X-Execution-Id": id });
    if (!response) throw new AppError("internal", "The execution could not be started");
    return { id, response };
  }

  /** An SSE response with the caller's events after `afterId`: live, replayed, or rebuilt from D1. */
  events(
    userId: string,
    executionId: string,
    afterId: number,
    format: StreamFormat,
    idHeader?: string,
  ): Promise<Response> {
    const headers: Record<string, string> = idHeader ? { "X-Execution-Id": idHeader } : {};
    return eventsResponse({ env: this.env, db: this.db }, userId, executionId, { afterId, format, headers });
  }

  /** The caller's execution with its prompt results in run order; `not_found` for anyone else's. */
  async record(userId: string, executionId: string): Promise<ExecutionRecord> {
    const record = await findRecord(this.env, this.db, userId, executionId);
    if (!record) throw notFound("Execution");
    return record;
  }

  /** The caller's executions, newest first (just-created and live ones included at once). */
  list(userId: string, query: ExecutionListQuery): Promise<ExecutionSummary[]> {
    return listRecords(this.env, this.db, userId, query);
  }

  /** Cancels a running or pending execution (its object stops the model calls); idempotent. Returns the status after. */
  async cancel(userId: string, executionId: string): Promise<ExecutionStatus> {
    const deletion = await userAccount(this.env, userId).deletionView(executionId);
    if (deletion.deleted || (deletion.before > 0 && !(await findRecord(this.env, this.db, userId, executionId))))
      throw notFound("Execution");
    const { status } = await executionObject(this.env, executionId).cancel(userId);
    if (status !== "unknown") return status;
    // Not held by its object any more (past retention): the record says how it ended.
    const record = await findRecord(this.env, this.db, userId, executionId);
    if (!record) throw notFound("Execution");
    return record.execution.status;
  }

  /** Admits a new execution and hands it to its object: started, or pending for the original endpoint. */
  private async admitAndStart(userId: string, draft: ExecutionDraft, key: IdempotencyKey, start: boolean) {
    const admitted = await this.admit(userId, draft, key, start);
    if (admitted.replayOf) return this.replayOf(admitted.replayOf);
    const stub = executionObject(this.env, admitted.plan.executionId);
    const status = await this.started(userId, admitted.plan.executionId, () =>
      start
        ? stub.start(admitted.plan)
        : stub.createPending(admitted.plan, admitted.createdAt + this.config.pendingTtlMs),
    );
    return {
      id: admitted.plan.executionId,
      status: status.status === "unknown" ? "pending" : status.status,
      replayed: false,
    } satisfies Created;
  }

  /** A new execution's draft from the caller's readable tool, its inputs checked. */
  private async draftOf(
    userId: string,
    request: Pick<CreateRequest, "toolId" | "inputs" | "budget">,
    toolsBookmark: string | null,
  ): Promise<ExecutionDraft> {
    const tool: ToolRecord | undefined = await readTool(this.env, userId, request.toolId, toolsBookmark);
    if (!tool) throw notFound("Tool");
    const values = resolveInputs(fieldsOf(tool), request.inputs);
    return draftFromTool(tool, request.inputs, values, request.budget);
  }

  /** Budgets, the rate limit, then admission by the owner's account; answers the plan, or the execution a key replays. */
  private async admit(userId: string, draft: ExecutionDraft, key: IdempotencyKey, start: boolean) {
    assertBudgetsCountable(this.config, draft.budgetMicros, draft.prompts, (i) => `prompts.${draft.prompts[i]?.id}`);
    const need = await this.firstCallsNeed(draft);
    assertBudgetCovers(draft.budgetMicros, need);
    const { success } = await this.env.EXECUTION_RATE_LIMITER.limit({ key: userId });
    if (!success)
      throw new AppError("rate_limited", "Too many executions started; try again shortly", {
        retryAfter: RATE_LIMIT_PERIOD_SECONDS,
      });
    const createdAt = Date.now();
    const plan = planFor({ id: crypto.randomUUID(), ownerId: userId, createdAt }, draft, key);
    const summary = newSummary(plan, createdAt, start);
    const { replayOf } = await admit(this.env, this.config, userId, {
      executionId: plan.executionId,
      createdAt,
      start,
      key,
      need,
      summary,
    });
    return { plan, createdAt, replayOf };
  }

  /** Starts `userId`'s pending execution: its slot on the account, then its object. */
  private async startPending(userId: string, existing: ExecutionRecord): Promise<void> {
    const { execution, results } = existing;
    const prompts = results.map(({ tools, maxSteps, ...result }) => ({
      ...result,
      id: result.promptId,
      content: result.content ?? "",
      ...agentStepOf({ tools, maxSteps }),
    }));
    const need = await this.firstCallsNeed({
      budgetMicros: execution.budgetMicros,
      prompts,
      reusable: {},
      values: resolveInputs(execution.inputFields ?? [], execution.inputs),
      sourceOutputs: new Map(),
    });
    await startPending(this.env, this.config, userId, execution.id, need);
    await executionObject(this.env, execution.id).begin(userId);
  }

  /** What an Idempotency-Key's earlier execution answers: itself, with its status now. */
  private async replayOf(executionId: string): Promise<Created> {
    const { status } = await executionObject(this.env, executionId).wake();
    return { id: executionId, status: status === "unknown" ? "running" : status, replayed: true };
  }

  /**
   * Hands the run to its object. If the object cannot be reached nothing ran: the account gives the
   * slot back, and the caller gets a clear 500.
   */
  private async started<T>(userId: string, executionId: string, start: () => Promise<T>): Promise<T> {
    try {
      return await start();
    } catch (error) {
      log("error", "could not start the execution's Durable Object", { executionId, error: describeError(error) });
      await userAccount(this.env, userId)
        .abandon(executionId)
        .catch(() => undefined);
      throw new AppError("internal", "The execution could not be started", { cause: error });
    }
  }

  /** What the first calls must be able to pay (only counted when a budget or the daily cap applies). */
  private firstCallsNeed(
    draft: Pick<ExecutionDraft, "budgetMicros" | "prompts" | "reusable" | "values" | "sourceOutputs">,
  ): Promise<number> {
    if (draft.budgetMicros === null && this.config.userDailyBudgetMicros <= 0) return Promise.resolve(0);
    return firstCallsNeed(this.config, draft, new Map([...draft.sourceOutputs, ...draft.values]));
  }
}
