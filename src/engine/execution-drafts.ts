// What a new execution is made of before it is stored (a draft), and the plan its object runs: pure,
// so a create (services) and a nested execution started by an agent step (durable) build them alike.

import { type ExecutionSummary, inputsPreview } from "../db/execution-summary";
import type { FieldSnapshot, ToolRecord } from "../db/schema";
import type { Config } from "../lib/config";
import { assertModelsPriced } from "../lib/model-catalogue";
import { agentStepOf } from "../schemas/tool";
import type { ExecutionPlan, PlannedPrompt } from "./plan";

/** A budget as the tool API and requests write it. */
export interface Budget {
  maxCostMicros: number;
}

/** The lower of the tool's budget and the request's (null: neither sets one). */
export function lowerBudget(toolMicros: number | null, request: Budget | undefined): number | null {
  const requested = request?.maxCostMicros ?? null;
  if (toolMicros === null) return requested;
  return requested === null ? toolMicros : Math.min(toolMicros, requested);
}

/**
 * A run with a budget, or under a daily cap, counts every prompt's cost: each model needs a price
 * (a 400 naming the prompts). `pathOf` says where each prompt stands in the request.
 */
export function assertBudgetsCountable(
  config: Config,
  budgetMicros: number | null,
  prompts: readonly { name: string; model: string }[],
  pathOf: (index: number) => string,
): void {
  if (budgetMicros !== null) assertModelsPriced(config.models, prompts, pathOf, "the budget");
  else if (config.userDailyBudgetMicros > 0) assertModelsPriced(config.models, prompts, pathOf, "the daily budget");
}

/** What a plan keeps of the request's Idempotency-Key (services/idempotency.ts makes it). */
export interface PlanKey {
  idempotencyKey: string | null;
  fingerprint: string;
}

/** No Idempotency-Key (a nested execution: its id is its key). */
export const NO_KEY: PlanKey = { idempotencyKey: null, fingerprint: "" };

/** Everything a new execution is made of: from a tool (a create) or from a source execution (a rerun). */
export interface ExecutionDraft {
  /** Null for a draft run (an unsaved tool). */
  toolId: string | null;
  toolName: string;
  onPromptError: "stop" | "continue";
  inputFields: FieldSnapshot[];
  /** The inputs as sent (stored), and each field's substitution text (run). */
  inputs: Record<string, unknown>;
  values: ReadonlyMap<string, string>;
  /** A rerun's source outputs by the names templates use (empty for a first run): its first calls' inputs are estimated with them. */
  sourceOutputs: ReadonlyMap<string, string>;
  /** In run order; an agent step's with its tools and cap on model turns. */
  prompts: PlannedPrompt[];
  sourceExecutionId: string | null;
  fromPromptId: string | null;
  reusable: ExecutionPlan["reusable"];
  /** The tool's budget as it runs, and the run's: the lower of the tool's and the request's (micro-dollars). */
  toolBudgetMicros: number | null;
  budgetMicros: number | null;
}

/** The tool's input fields, as the input checks read them and an execution keeps them. */
export const fieldsOf = (tool: ToolRecord): FieldSnapshot[] =>
  tool.inputFields.map(({ name, label, type, required, options }) => ({ name, label, type, required, options }));

/** A first run of a tool: its prompts and settings as they are now. */
export function draftFromTool(
  tool: ToolRecord,
  inputs: Record<string, unknown>,
  values: ReadonlyMap<string, string>,
  budget?: Budget,
): ExecutionDraft {
  return {
    toolId: tool.tool.id,
    toolName: tool.tool.name,
    onPromptError: tool.tool.onPromptError,
    inputFields: fieldsOf(tool),
    inputs,
    values,
    sourceOutputs: new Map(),
    prompts: tool.prompts.map(
      ({ id, name, position, ordinal, model, systemContext, content, temperature, maxTokens, tools, maxSteps }) => ({
        id,
        name,
        position,
        ordinal,
        model,
        systemContext,
        content,
        temperature,
        maxTokens,
        ...agentStepOf({ tools, maxSteps }),
      }),
    ),
    sourceExecutionId: null,
    fromPromptId: null,
    reusable: {},
    toolBudgetMicros: tool.tool.budgetMicros,
    budgetMicros: lowerBudget(tool.tool.budgetMicros, budget),
  };
}

/** The plan the execution's object runs, with the record's header (the object writes D1's row from it). */
export function planFor(
  execution: { id: string; ownerId: string; createdAt: number },
  draft: ExecutionDraft,
  key: PlanKey,
): ExecutionPlan {
  return {
    executionId: execution.id,
    ownerId: execution.ownerId,
    toolId: draft.toolId,
    toolName: draft.toolName,
    onPromptError: draft.onPromptError,
    prompts: draft.prompts,
    values: Object.fromEntries(draft.values),
    sourceExecutionId: draft.sourceExecutionId,
    fromPromptId: draft.fromPromptId,
    reusable: draft.reusable,
    budgetMicros: draft.budgetMicros,
    header: {
      createdAt: execution.createdAt,
      inputs: draft.inputs,
      inputFields: draft.inputFields,
      toolBudgetMicros: draft.toolBudgetMicros,
      idempotencyKey: key.idempotencyKey,
      requestFingerprint: key.idempotencyKey ? key.fingerprint : null,
    },
  };
}

/** A new execution as its owner's list shows it, before D1 has indexed it. */
export function newSummary(plan: ExecutionPlan, createdAt: number, start: boolean): ExecutionSummary {
  return {
    id: plan.executionId,
    toolId: plan.toolId,
    toolName: plan.toolName,
    status: start ? "running" : "pending",
    error: null,
    createdAt,
    startedAt: start ? createdAt : null,
    completedAt: null,
    sourceExecutionId: plan.sourceExecutionId,
    fromPromptId: plan.fromPromptId,
    costMicros: null,
    budgetMicros: plan.budgetMicros,
    inputsPreview: inputsPreview(plan.header?.inputs ?? {}, plan.header?.inputFields ?? null),
    outputPreview: null,
  };
}
