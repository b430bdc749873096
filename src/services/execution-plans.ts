// What a new execution is made of before it is stored (a draft), and the plan its object runs.

import type { PromptSnapshot } from "../db/execution-queries";
import type { FieldSnapshot, ToolRecord } from "../db/schema";
import type { ExecutionPlan } from "../engine/plan";

/** Everything a new execution is made of: from a tool (a create) or from a source execution (a rerun). */
export interface ExecutionDraft {
  toolId: string;
  toolName: string;
  onPromptError: "stop" | "continue";
  inputFields: FieldSnapshot[];
  /** The inputs as sent (stored), and each field's substitution text (run). */
  inputs: Record<string, unknown>;
  values: ReadonlyMap<string, string>;
  prompts: PromptSnapshot[];
  sourceExecutionId: string | null;
  fromPromptId: string | null;
  reusable: ExecutionPlan["reusable"];
}

/** The tool's input fields, as the input checks read them and an execution keeps them. */
export const fieldsOf = (tool: ToolRecord): FieldSnapshot[] =>
  tool.inputFields.map(({ name, label, type, required, options }) => ({ name, label, type, required, options }));

/** A first run of a tool: its prompts and settings as they are now. */
export function draftFromTool(
  tool: ToolRecord,
  inputs: Record<string, unknown>,
  values: ReadonlyMap<string, string>,
): ExecutionDraft {
  return {
    toolId: tool.tool.id,
    toolName: tool.tool.name,
    onPromptError: tool.tool.onPromptError,
    inputFields: fieldsOf(tool),
    inputs,
    values,
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
  };
}
