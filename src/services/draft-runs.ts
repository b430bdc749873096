// A draft run (SPEC §5, the editor's "Try it"): an unsaved tool body, checked exactly as a save checks
// it, becomes an execution draft with no tool id. Its prompts get fresh ids (nothing is stored as a tool).
import type { FieldSnapshot } from "../db/schema";
import type { ExecutionDraft } from "../engine/execution-drafts";
import { AppError } from "../lib/errors";
import type { ModelCatalogue } from "../lib/model-catalogue";
import { resolveInputs } from "../schemas/inputs";
import { agentStepOf, inRunOrder, type ToolBody } from "../schemas/tool";
import type { AgentStepContext } from "./agent-steps";
import { type Budget, lowerBudget } from "./budgets";
import { assertToolSaveableWithTools } from "./tools";

/** The save checks, their error paths under `draft.` (where the request carried the body). */
async function assertDraftSaveable(body: ToolBody, catalogue: ModelCatalogue, context: AgentStepContext) {
  try {
    await assertToolSaveableWithTools(body, catalogue, context);
  } catch (error) {
    if (!(error instanceof AppError) || error.code !== "validation_failed") throw error;
    const fields = (error.details as { fields?: { path: string; message: string }[] } | undefined)?.fields ?? [];
    throw new AppError("validation_failed", error.message.replace(/^Invalid tool/, "Invalid draft"), {
      details: { fields: fields.map((field) => ({ ...field, path: `draft.${field.path}` })) },
    });
  }
}

/**
 * The draft of a run of an unsaved tool; throws 400 naming what is wrong with the body (its agent steps'
 * tools checked for `context`'s user, as a save checks them) or the inputs.
 */
export async function draftFromBody(
  body: ToolBody,
  inputs: Record<string, unknown>,
  catalogue: ModelCatalogue,
  context: AgentStepContext,
  budget?: Budget,
): Promise<ExecutionDraft> {
  await assertDraftSaveable(body, catalogue, context);
  const inputFields: FieldSnapshot[] = body.inputFields.map(({ name, label, type, required, options }) => ({
    name,
    label,
    type,
    required,
    options: options ?? null,
  }));
  const toolBudgetMicros = body.budget?.maxCostMicros ?? null;
  return {
    toolId: null,
    toolName: body.name,
    onPromptError: body.onPromptError,
    inputFields,
    inputs,
    values: resolveInputs(inputFields, inputs),
    sourceOutputs: new Map(),
    prompts: inRunOrder(body.prompts).map((prompt, index) => ({
      id: crypto.randomUUID(),
      name: prompt.name,
      position: prompt.position,
      ordinal: index + 1,
      model: prompt.model,
      systemContext: prompt.systemContext ?? null,
      content: prompt.content,
      temperature: prompt.temperature ?? null,
      maxTokens: prompt.maxTokens ?? null,
      ...agentStepOf(prompt),
    })),
    sourceExecutionId: null,
    fromPromptId: null,
    reusable: {},
    toolBudgetMicros,
    budgetMicros: lowerBudget(toolBudgetMicros, budget),
  };
}
