// A rerun's draft: the source execution's plan (its prompts as they ran), the inputs merged over the
// source's, per-prompt overrides checked like a saved tool, and which prompts may be reused.
import type { z } from "zod";
import type { ExecutionRow, PromptResultRow } from "../db/schema";
import type { ExecutionDraft } from "../engine/execution-drafts";
import { AppError } from "../lib/errors";
import { assertModelsListed, type ModelCatalogue } from "../lib/model-catalogue";
import { ordinalAliases } from "../lib/templates";
import type { promptOverride } from "../schemas/api";
import { resolveInputs } from "../schemas/inputs";
import { agentStepOf, assertToolIsConsistent, type ToolBody } from "../schemas/tool";
import { type Budget, lowerBudget } from "./budgets";

export interface RerunRequest {
  fromPromptId?: string;
  inputs?: Record<string, unknown>;
  prompts?: Record<string, z.output<typeof promptOverride>>;
  /** Held to the source's tool budget too: the lower applies. */
  budget?: Budget;
}

const invalid = (message: string, path: string) =>
  new AppError("validation_failed", message, { details: { fields: [{ path, message }] } });

/** Checks the overridden plan as a saved tool would be checked; errors name the prompt (by id in the path). */
function assertConsistent(draft: ExecutionDraft): void {
  const body: ToolBody = {
    name: draft.toolName,
    description: "",
    visibility: "private",
    onPromptError: draft.onPromptError,
    inputFields: draft.inputFields.map((field) => ({ ...field, options: field.options ?? undefined })),
    prompts: draft.prompts,
  };
  try {
    assertToolIsConsistent(body);
  } catch (error) {
    if (!(error instanceof AppError)) throw error;
    const fields = (error.details as { fields?: { path: string; message: string }[] } | undefined)?.fields ?? [];
    const byIndex = (path: string) =>
      path.replace(/^prompts\.(\d+)\./, (_, index: string) => `prompts.${draft.prompts[Number(index)]?.id}.`);
    throw new AppError("validation_failed", error.message.replace(/^Invalid tool/, "Invalid rerun"), {
      details: { fields: fields.map((field) => ({ ...field, path: byIndex(field.path) })) },
    });
  }
}

/** The draft of a rerun of `source` (ended, the caller's); throws 400/409 with what is wrong. */
export function draftRerun(
  source: ExecutionRow,
  results: readonly PromptResultRow[],
  request: RerunRequest,
  catalogue: ModelCatalogue,
): ExecutionDraft {
  if (!source.inputFields || results.some((result) => result.content === null)) {
    throw new AppError(
      "conflict",
      "This execution ran before its plan was recorded, so it cannot be rerun; run the tool again",
    );
  }
  const known = new Set(results.map((result) => result.promptId));
  for (const promptId of Object.keys(request.prompts ?? {})) {
    if (!known.has(promptId)) throw invalid(`No prompt ${promptId} in this execution`, `prompts.${promptId}`);
  }
  if (request.fromPromptId !== undefined && !known.has(request.fromPromptId)) {
    throw invalid(`No prompt ${request.fromPromptId} in this execution`, "fromPromptId");
  }
  const inputs = { ...source.inputs, ...request.inputs };
  const draft: ExecutionDraft = {
    toolId: source.toolId,
    toolName: source.toolName,
    onPromptError: source.onPromptError,
    inputFields: source.inputFields,
    inputs,
    values: resolveInputs(source.inputFields, inputs),
    sourceOutputs: new Map(
      results.flatMap((result) =>
        result.status === "completed"
          ? [result.name, ...ordinalAliases(result.ordinal)].map((name) => [name, result.output] as const)
          : [],
      ),
    ),
    prompts: results.map((result) => ({
      id: result.promptId,
      name: result.name,
      position: result.position,
      ordinal: result.ordinal,
      model: result.model,
      systemContext: result.systemContext,
      content: result.content ?? "",
      temperature: result.temperature,
      maxTokens: result.maxTokens,
      ...request.prompts?.[result.promptId],
      // An agent step's tools and cap as it ran: an override cannot change them (promptOverride has neither).
      ...agentStepOf(result),
    })),
    sourceExecutionId: source.id,
    // "Retry what failed": by default, from the first prompt that did not complete.
    fromPromptId: request.fromPromptId ?? results.find((result) => result.status !== "completed")?.promptId ?? null,
    reusable: {},
    toolBudgetMicros: source.toolBudgetMicros,
    budgetMicros: lowerBudget(source.toolBudgetMicros, request.budget),
  };
  assertConsistent(draft);
  assertModelsListed(catalogue, draft.prompts, (index) => `prompts.${draft.prompts[index]?.id}`);
  const from = results.find((result) => result.promptId === draft.fromPromptId);
  for (const result of results) {
    const before = from === undefined || result.position < from.position;
    if (before && result.status === "completed" && result.requestHash)
      draft.reusable[result.promptId] = result.requestHash;
  }
  return draft;
}
