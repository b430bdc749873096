// What a run needs, taken from the tool once when the execution starts: the plan and the fields.
import type { ExecutionRow, ToolRecord } from "../db/schema";
import type { ExecutionPlan } from "../engine/plan";
import type { FieldSpec } from "../schemas/inputs";

/** The tool's input fields, as the input checks read them. */
export const fieldsOf = (tool: ToolRecord): FieldSpec[] =>
  tool.inputFields.map(({ name, label, type, required, options }) => ({ name, label, type, required, options }));

/** The plan the execution's object runs: the tool's prompts as they are now, and the inputs' values. */
export function planFor(execution: ExecutionRow, tool: ToolRecord, values: ReadonlyMap<string, string>): ExecutionPlan {
  return {
    executionId: execution.id,
    ownerId: execution.ownerId,
    toolId: tool.tool.id,
    toolName: tool.tool.name,
    onPromptError: tool.tool.onPromptError,
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
    values: Object.fromEntries(values),
  };
}
