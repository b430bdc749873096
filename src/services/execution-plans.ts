// What a new execution is made of before it is stored (a draft), and the plan its object runs.

import type { PromptSnapshot } from "../db/execution-queries";
import type { ExecutionRow, FieldSnapshot, ToolRecord } from "../db/schema";
import type { ExecutionPlan } from "../engine/plan";
import { type Budget, lowerBudget } from "./budgets";
import type { IdempotencyKey } from "./idempotency";

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
  prompts: PromptSnapshot[];
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
      ({ id, name, position, ordinal, model, systemContext, content, temperature, maxTokens }) => ({
        id,
        name,
        position,
        ordinal,
        model,
        systemContext,
        content,
        temperature,
        maxTokens,
      }),
    ),
    sourceExecutionId: null,
    fromPromptId: null,
    reusable: {},
    toolBudgetMicros: tool.tool.budgetMicros,
    budgetMicros: lowerBudget(tool.tool.budgetMicros, budget),
  };
}

/** The execution row a draft becomes: `running` when it starts right away, else `pending`. */
export function newExecutionRow(
  draft: ExecutionDraft,
  row: {
    id: string;
    ownerId: string;
    status: "pending" | "running";
    key: IdempotencyKey;
    durableObjectId: string;
    createdAt: number;
  },
): ExecutionRow & { status: "pending" | "running"; durableObjectId: string; inputFields: FieldSnapshot[] } {
  return {
    id: row.id,
    ownerId: row.ownerId,
    toolId: draft.toolId,
    toolName: draft.toolName,
    status: row.status,
    inputs: draft.inputs,
    error: null,
    idempotencyKey: row.key.idempotencyKey,
    requestFingerprint: row.key.idempotencyKey ? row.key.fingerprint : null,
    durableObjectId: row.durableObjectId,
    onPromptError: draft.onPromptError,
    inputFields: draft.inputFields,
    sourceExecutionId: draft.sourceExecutionId,
    fromPromptId: draft.fromPromptId,
    costMicros: null,
    toolBudgetMicros: draft.toolBudgetMicros,
    budgetMicros: draft.budgetMicros,
    reservedMicros: 0,
    createdAt: row.createdAt,
    startedAt: row.status === "running" ? row.createdAt : null,
    completedAt: null,
  };
}

/** The plan the execution's object runs. */
export function planFor(execution: { id: string; ownerId: string }, draft: ExecutionDraft): ExecutionPlan {
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
  };
}
