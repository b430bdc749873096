// An agent step's `assistant:<toolId>` call run as a nested execution (SPEC §12): the saved tool read
// as the runner may read it, its plan built as a create builds one (engine/execution-drafts.ts), its
// id (parent id + call id) stored in the parent's state before it starts, admitted under the parent's
// slot, started on its own object, and waited for: the child tells the parent's object when it ends,
// and the parent also asks it every POLL_MS (its heartbeat alarm takes the wait up after a restart).
// Its final prompt's output is the call's result; its cost is the parent's too.
import { createSessionDb } from "../db/client";
import type { ToolRecord } from "../db/schema";
import { findReadableTool } from "../db/tool-queries";
import type { AgentCall } from "../engine/agent-state";
import { assistantIdOf, hasEnded, type NestedOutcome, nestedResultText, notNestable } from "../engine/assistant-tools";
import {
  assertBudgetsCountable,
  draftFromTool,
  fieldsOf,
  NO_KEY,
  newSummary,
  planFor,
} from "../engine/execution-drafts";
import type { ExecutionPlan } from "../engine/plan";
import type { Config } from "../lib/config";
import { AppError } from "../lib/errors";
import { describeError, log } from "../lib/log";
import { nestedExecutionId } from "../lib/nested-ids";
import { resolveInputs } from "../schemas/inputs";
import { admissionLimits } from "./user/admission-limits";
import type { UserAccount } from "./user-account";

/** How often a parent asks its nested execution how it stands, should its notification not come. */
export const POLL_MS = 2_000;

/** What a parent needs of a nested execution's object. */
export interface NestedSession {
  start(plan: ExecutionPlan): Promise<unknown>;
  nestedOutcome(userId: string): Promise<NestedOutcome | null>;
  cancel(userId: string): Promise<unknown>;
}

export interface NestedHost {
  config: Config;
  parentId: string;
  ownerId: string;
  d1(): D1Database;
  account(): DurableObjectStub<UserAccount>;
  session(executionId: string): NestedSession;
  /** Stores the nested execution's id (and budget) in the call's state, before it starts. */
  started(callId: string, executionId: string, budgetMicros: number | null): void;
  /** Its share of what is left of the parent's budget (null: no budget); `known`: the share an earlier life gave. */
  share(callId: string, known?: number | null): number | null;
  /** It ended at `costMicros`: its share is replaced by its cost. */
  settle(callId: string, costMicros: number): void;
}

/** What a nested call answers (the tool's result before its duration is added). */
export interface NestedResult {
  isError: boolean;
  output: string;
  executionId?: string;
  costMicros?: number | null;
}

export class NestedRuns {
  /** Each call waiting in this life, woken when its nested execution says it ended. */
  private readonly waiters = new Map<string, () => void>();

  constructor(private readonly host: NestedHost) {}

  /** Calls whose nested execution said it ended while nobody waited (between two looks at it). */
  private readonly told = new Set<string>();

  /** The nested execution of `callId` ended (its object said so). */
  ended(callId: string): void {
    const waiter = this.waiters.get(callId);
    if (waiter) waiter();
    else this.told.add(callId);
  }

  /**
   * Runs the call's nested execution, or (after a restart) takes up waiting for the one it started;
   * null when the run's stop cut the wait before the nested execution could end.
   */
  async run(call: AgentCall, signal: AbortSignal): Promise<NestedResult | null> {
    const { host } = this;
    const executionId = call.nested?.executionId ?? nestedExecutionId(host.parentId, call.callId);
    const session = host.session(executionId);
    let outcome = call.nested ? await session.nestedOutcome(host.ownerId) : null;
    if (!outcome) {
      // First time, or an earlier life stored the id but died before the object started.
      const refused = await this.start(call, executionId, session);
      if (refused !== null) return { isError: true, output: refused };
    } else host.share(call.callId, call.nested?.budgetMicros ?? null);
    for (;;) {
      outcome ??= await session.nestedOutcome(host.ownerId);
      if (outcome && hasEnded(outcome)) break;
      if (signal.aborted) {
        // Cancel of the parent (or its cap, or its budget) cancels the child; its cost still counts.
        await session.cancel(host.ownerId);
        outcome = await session.nestedOutcome(host.ownerId);
        if (outcome && hasEnded(outcome)) break;
        return null;
      }
      outcome = null;
      await this.wait(call.callId, signal);
    }
    host.settle(call.callId, outcome.costMicros ?? 0);
    return { ...nestedResultText(outcome, executionId), executionId, costMicros: outcome.costMicros };
  }

  /**
   * A saved tool as the runner may read it now (own or shared), through the D1 Sessions API never
   * older than the runner's last write of a tool; undefined when they may not.
   */
  async readAssistant(toolId: string): Promise<ToolRecord | undefined> {
    const { host } = this;
    const bookmark = await host
      .account()
      .toolsBookmark()
      .catch(() => null);
    return findReadableTool(createSessionDb(host.d1(), bookmark ?? "first-unconstrained").db, toolId, host.ownerId);
  }

  /** Builds, stores, admits and starts the nested execution; a reason it cannot run, or null. */
  private async start(call: AgentCall, executionId: string, session: NestedSession): Promise<string | null> {
    const { host } = this;
    const toolId = assistantIdOf(call.name) ?? "";
    const tool = await this.readAssistant(toolId);
    if (!tool) return `There is no assistant ${toolId} that you can run.`;
    const nesting = notNestable(tool);
    if (nesting) return nesting;
    const args = typeof call.arguments === "object" && call.arguments !== null ? call.arguments : {};
    let plan: ExecutionPlan;
    const createdAt = Date.now();
    try {
      const draft = draftFromTool(tool, args, resolveInputs(fieldsOf(tool), args));
      const share = host.share(call.callId, call.nested ? call.nested.budgetMicros : undefined);
      const budgetMicros =
        share === null ? draft.budgetMicros : Math.min(share, draft.budgetMicros ?? Number.POSITIVE_INFINITY);
      assertBudgetsCountable(host.config, budgetMicros, draft.prompts, (i) => `prompts.${i}`);
      plan = planFor({ id: executionId, ownerId: host.ownerId, createdAt }, { ...draft, budgetMicros }, NO_KEY);
    } catch (error) {
      if (error instanceof AppError) return `The assistant "${tool.tool.name}" cannot run: ${issuesOf(error)}`;
      throw error;
    }
    // Stored before anything starts: a restart from here on finds this execution and waits for it.
    host.started(call.callId, executionId, plan.budgetMicros);
    try {
      await host.account().admitNested(host.ownerId, admissionLimits(host.config), {
        id: executionId,
        createdAt,
        summary: newSummary(plan, createdAt, true),
      });
      await session.start(plan);
    } catch (error) {
      log("error", "a nested execution could not be started", { executionId, error: describeError(error) });
      return `The assistant "${tool.tool.name}" could not be started.`;
    }
    return null;
  }

  /** Until the nested execution says it ended, POLL_MS pass, or the run stops. */
  private wait(callId: string, signal: AbortSignal): Promise<void> {
    if (this.told.delete(callId)) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        signal.removeEventListener("abort", done);
        this.waiters.delete(callId);
        resolve();
      };
      const timer = setTimeout(done, POLL_MS);
      signal.addEventListener("abort", done);
      this.waiters.set(callId, done);
    });
  }
}

/** A validation error's message with each field's issue. */
function issuesOf(error: AppError): string {
  const fields = (error.details as { fields?: { path: string; message: string }[] } | undefined)?.fields;
  return fields && fields.length > 0
    ? fields.map((field) => `${field.path}: ${field.message}`).join("; ")
    : error.message;
}
