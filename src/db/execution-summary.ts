// An execution as a list shows it: what tells runs apart, without their outputs. D1's rows give it,
// and so does the user's account for runs D1 has not indexed yet (the list merges the two).
import type { ErrorInfo } from "../events/types";
import type { ExecutionStatus } from "../schemas/statuses";
import type { ExecutionRow } from "./schema";

export interface ExecutionSummary {
  id: string;
  /** Null for a draft run (an unsaved tool). */
  toolId: string | null;
  toolName: string;
  status: ExecutionStatus;
  error: ErrorInfo | null;
  createdAt: number;
  startedAt: number | null;
  completedAt: number | null;
  sourceExecutionId: string | null;
  fromPromptId: string | null;
  costMicros: number | null;
  budgetMicros: number | null;
  inputsPreview: string;
  /** The last prompt's output preview (its first 280 code points; null before any output). */
  outputPreview: string | null;
}

const PREVIEW_CHARS = 140;

/**
 * The inputs as one short line, `Topic: Photosynthesis · Grade: 2`, to tell runs apart in a list: each
 * field's label when the run kept its fields, else its name.
 */
export function inputsPreview(
  inputs: Record<string, unknown>,
  fields: readonly { name: string; label: string }[] | null = null,
): string {
  const labels = new Map(fields?.map((field) => [field.name, field.label]));
  const text = Object.entries(inputs)
    .map(([name, value]) => `${labels.get(name) ?? name}: ${Array.isArray(value) ? value.join(", ") : String(value)}`)
    .join(" · ")
    .replace(/\s+/g, " ");
  return text.length > PREVIEW_CHARS ? `${text.slice(0, PREVIEW_CHARS - 1)}…` : text;
}

/** A D1 row as a list item. */
export const summaryOfRow = (row: ExecutionRow): ExecutionSummary => ({
  id: row.id,
  toolId: row.toolId,
  toolName: row.toolName,
  status: row.status,
  error: row.error,
  createdAt: row.createdAt,
  startedAt: row.startedAt,
  completedAt: row.completedAt,
  sourceExecutionId: row.sourceExecutionId,
  fromPromptId: row.fromPromptId,
  costMicros: row.costMicros,
  budgetMicros: row.budgetMicros,
  inputsPreview: row.inputsPreview ?? inputsPreview(row.inputs, row.inputFields),
  outputPreview: row.outputPreview,
});
