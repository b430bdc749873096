// Saved assistants as an agent step's tools (SPEC §12, `assistant:<toolId>`), as pure pieces: the
// function the model sees (the assistant's input fields as a JSON Schema), whether a tool may run
// nested, and what the model is told of the nested execution's end (its final prompt's output, or why
// it has none).
import type { ToolRecord } from "../db/schema";
import type { ErrorInfo } from "../events/types";
import type { JsonSchema } from "../mcp/arguments";
import type { ExecutionStatus } from "../schemas/statuses";
import type { FieldType } from "../schemas/tool";
import { type RunState, totalCost } from "./run-state";

export const ASSISTANT_PREFIX = "assistant:";

/** The tool id of an `assistant:<toolId>` reference; null for any other reference. */
export const assistantIdOf = (ref: string): string | null =>
  ref.startsWith(ASSISTANT_PREFIX) ? ref.slice(ASSISTANT_PREFIX.length) : null;

const FIELD_SCHEMAS: Record<FieldType, (options: string[] | null) => JsonSchema> = {
  text: () => ({ type: "string" }),
  textarea: () => ({ type: "string" }),
  number: () => ({ type: "number" }),
  boolean: () => ({ type: "boolean" }),
  select: (options) => ({ type: "string", enum: options ?? [] }),
  multi_select: (options) => ({ type: "array", items: { type: "string", enum: options ?? [] } }),
};

/** The assistant's input fields as the function's parameters (each field's label as its description). */
export function assistantInputSchema(tool: Pick<ToolRecord, "inputFields">): JsonSchema {
  const properties: Record<string, JsonSchema> = {};
  for (const field of tool.inputFields)
    properties[field.name] = { ...FIELD_SCHEMAS[field.type](field.options ?? null), description: field.label };
  const required = tool.inputFields.filter((field) => field.required).map((field) => field.name);
  return { type: "object", properties, ...(required.length > 0 ? { required } : {}), additionalProperties: false };
}

/** What the model reads of the assistant. */
export const assistantDescription = (tool: Pick<ToolRecord, "tool">): string =>
  tool.tool.description.trim() ||
  `Runs the saved assistant "${tool.tool.name}" (a prompt chain) with these inputs and answers its final output.`;

/** Why a tool cannot run as a nested execution (null: it can): an agent step of its own (nesting stops at one level). */
export function notNestable(tool: Pick<ToolRecord, "tool" | "prompts">): string | null {
  const agent = tool.prompts.some((prompt) => (prompt.tools?.length ?? 0) > 0);
  return agent
    ? `The assistant "${tool.tool.name}" has an agent step itself and cannot be run as a tool (nesting stops at one level).`
    : null;
}

/** How a nested execution ended, as its object reports it to its parent. */
export interface NestedOutcome {
  status: ExecutionStatus;
  toolName: string;
  /** The final prompt's output (its output so far, when it did not complete). */
  output: string;
  error: ErrorInfo | null;
  /** What it cost (whole micro-dollars; null while it runs). */
  costMicros: number | null;
}

/** Whether a nested execution has ended. */
export const hasEnded = (outcome: NestedOutcome): boolean =>
  outcome.status !== "running" && outcome.status !== "pending" && outcome.status !== "waiting";

/** What the model gets as the call's result: the final output, or an error result saying how the nested execution ended. */
export function nestedResultText(outcome: NestedOutcome, executionId: string): { isError: boolean; output: string } {
  if (outcome.status === "completed") return { isError: false, output: outcome.output };
  const how =
    outcome.status === "canceled"
      ? "was canceled"
      : outcome.status === "timed_out"
        ? "ran out of time"
        : `failed${outcome.error ? ` (${outcome.error.code}): ${outcome.error.message}` : ""}`;
  return {
    isError: true,
    output: `The assistant "${outcome.toolName}" ${how}. Its execution: ${executionId}.`,
  };
}

/** `assistant:` calls running without a nested execution yet: they split what is left of the budget. */
export const startingNestedCalls = (state: RunState): number =>
  Object.values(state.prompts)
    .flatMap((prompt) => prompt.agent?.calls ?? [])
    .filter((call) => call.status === "running" && assistantIdOf(call.name) !== null && !call.nested).length;

/** How a nested run stands, as its parent reads it: its final prompt's output so far, and its cost once ended. */
export function nestedOutcomeOf(state: RunState, outputsSoFar: ReadonlyMap<string, string>): NestedOutcome {
  const last = state.plan.prompts.at(-1);
  return {
    status: state.status,
    toolName: state.plan.toolName,
    output: last ? (outputsSoFar.get(last.id) ?? "") : "",
    error: state.error,
    costMicros: state.finishedAt === null ? null : totalCost(state),
  };
}
