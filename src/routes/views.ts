// JSON views of stored rows: what the API returns. Timestamps go out as ISO-8601 strings.

import { type ExecutionSummary, lastResultPreview, summaryOfRow } from "../db/execution-summary";
import type { AuditRow, ExecutionRow, PromptResultRow, ToolRecord, ToolRow } from "../db/schema";
import type { ErrorInfo, PendingToolCall, ToolCallRecord } from "../events/types";
import type { CatalogueEntry } from "../lib/model-catalogue";
import { parentOf } from "../lib/nested-ids";
import { agentStepOf } from "../schemas/tool";

/** Milliseconds since the epoch → ISO string (null stays null). */
export const isoTime = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

/** A tool in a list: no fields or prompts. */
export function toolSummaryView(tool: ToolRow, userId: string) {
  return {
    id: tool.id,
    name: tool.name,
    description: tool.description,
    visibility: tool.visibility,
    onPromptError: tool.onPromptError,
    budget: tool.budgetMicros === null ? null : { maxCostMicros: tool.budgetMicros },
    isOwner: tool.ownerId === userId,
    createdAt: isoTime(tool.createdAt),
    updatedAt: isoTime(tool.updatedAt),
  };
}

/** A whole tool, in the same shape it is written in, plus ids and timestamps. */
export function toolView(record: ToolRecord, userId: string) {
  return {
    ...toolSummaryView(record.tool, userId),
    inputFields: record.inputFields.map((field) => ({
      name: field.name,
      label: field.label,
      type: field.type,
      required: field.required,
      ...(field.options ? { options: field.options } : {}),
    })),
    prompts: record.prompts.map((prompt) => ({
      id: prompt.id,
      name: prompt.name,
      position: prompt.position,
      model: prompt.model,
      systemContext: prompt.systemContext,
      content: prompt.content,
      temperature: prompt.temperature,
      maxTokens: prompt.maxTokens,
      // An agent step's tools and cap on model turns; an ordinary prompt has neither.
      ...agentStepOf(prompt),
    })),
  };
}

/** A list item (from D1, or from the account for a run D1 has not indexed yet). */
export function executionSummaryView(execution: ExecutionSummary) {
  return {
    id: execution.id,
    toolId: execution.toolId,
    toolName: execution.toolName,
    status: execution.status,
    error: execution.error,
    createdAt: isoTime(execution.createdAt),
    startedAt: isoTime(execution.startedAt),
    completedAt: isoTime(execution.completedAt),
    sourceExecutionId: execution.sourceExecutionId,
    fromPromptId: execution.fromPromptId,
    /** A nested execution's lineage (an agent step's `assistant:` call): its parent and the call; null otherwise. */
    parent: parentOf(execution.id),
    costMicros: execution.costMicros,
    budgetMicros: execution.budgetMicros,
    inputsPreview: execution.inputsPreview,
    outputPreview: execution.outputPreview,
  };
}

/** An execution's full record with one result per prompt (docs/api.md, "Executions"). */
/** A tool call as the record and the decision endpoint show it (times as ISO-8601). */
export function toolCallView(call: ToolCallRecord) {
  const { startedAt, completedAt, ...rest } = call;
  return {
    ...rest,
    ...(startedAt !== undefined ? { startedAt: isoTime(startedAt) } : {}),
    ...(completedAt !== undefined ? { completedAt: isoTime(completedAt) } : {}),
  };
}

/** An execution's record as it is stored or live: its row, its prompts' results, its agent steps' tool calls. */
export interface RecordParts {
  execution: ExecutionRow;
  results: readonly PromptResultRow[];
  outputsError?: ErrorInfo;
  toolCalls?: Record<string, ToolCallRecord[]>;
  pendingToolCalls?: PendingToolCall[];
}

export function executionView({ execution, results, outputsError, toolCalls, pendingToolCalls }: RecordParts) {
  return {
    ...executionSummaryView(summaryOfRow({ ...execution, outputPreview: lastResultPreview(results) })),
    ...(outputsError ? { outputsError } : {}),
    /** Tool calls waiting for a person's decision (SPEC §12). */
    pendingToolCalls: pendingToolCalls ?? [],
    inputs: execution.inputs,
    /** The input fields as they were when it ran (labels, types, options); null for runs from before they were kept. */
    inputFields:
      execution.inputFields?.map(({ name, label, type, required, options }) => ({
        name,
        label,
        type,
        required,
        ...(options ? { options } : {}),
      })) ?? null,
    results: results.map((result) => ({
      promptId: result.promptId,
      name: result.name,
      position: result.position,
      model: result.model,
      /** The prompt as it ran (what a rerun starts from). */
      content: result.content,
      systemContext: result.systemContext,
      temperature: result.temperature,
      maxTokens: result.maxTokens,
      ...agentStepOf(result),
      status: result.status,
      output: result.output,
      error: result.error,
      startedAt: isoTime(result.startedAt),
      completedAt: isoTime(result.completedAt),
      durationMs: result.durationMs,
      attempts: result.attempts,
      reused: result.reused,
      costMicros: result.costMicros,
      estimatedCostMicros: result.estimatedCostMicros,
      overshootMicros: result.overshootMicros,
      usage:
        result.inputTokens === null && result.outputTokens === null
          ? null
          : { inputTokens: result.inputTokens ?? 0, outputTokens: result.outputTokens ?? 0 },
      ...(toolCalls?.[result.promptId] ? { toolCalls: toolCalls[result.promptId]?.map(toolCallView) } : {}),
    })),
  };
}

/** The model catalogue as the API shows it: names and prices, never endpoints or keys. */
export function modelsView(entries: Iterable<CatalogueEntry>) {
  return [...entries].map((entry) => ({
    name: entry.name,
    inputUsdPerMTok: entry.inputUsdPerMTok,
    outputUsdPerMTok: entry.outputUsdPerMTok,
    contextTokens: entry.contextTokens,
    reasoning: entry.reasoning,
  }));
}

/** One entry of the audit trail (GET /api/admin/audit). */
export const auditItemView = (row: AuditRow) => ({
  at: new Date(row.at).toISOString(),
  actor: row.actor,
  action: row.action,
  target: { type: row.targetType, id: row.targetId },
});
