// An execution as a list shows it: what tells runs apart, without their outputs. D1's rows give it,
// and so does the user's account for runs D1 has not indexed yet (the list merges the two).
import type { ErrorInfo } from "../events/types";
import type { ExecutionStatus } from "../schemas/statuses";
import type { ExecutionRow, PromptResultRow } from "./schema";

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

/** The first 280 code points of a text: what lists show of an output (D1 keeps it per prompt). */
export const previewOf = (text: string): string => {
  const points = Array.from(text);
  return points.length <= 280 ? text : points.slice(0, 280).join("");
};

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

/** A D1 row with its last prompt's output preview (D1 keeps previews per prompt only: SPEC §13). */
export type ListedExecutionRow = ExecutionRow & { outputPreview: string | null };

/**
 * The list's output preview of a record's results: that of its last prompt with output (highest
 * position; among equals, the last in run order). A row from before previews gives its output's start.
 */
export function lastResultPreview(
  results: readonly Pick<PromptResultRow, "position" | "ordinal" | "output" | "outputPreview">[],
): string | null {
  let last: { position: number; ordinal: number; preview: string } | null = null;
  for (const result of results) {
    const preview = result.outputPreview ?? (result.output === "" ? null : previewOf(result.output));
    if (preview === null) continue;
    if (
      !last ||
      result.position > last.position ||
      (result.position === last.position && result.ordinal > last.ordinal)
    )
      last = { position: result.position, ordinal: result.ordinal, preview };
  }
  return last?.preview ?? null;
}

/** A D1 row as a list item. */
export const summaryOfRow = (row: ListedExecutionRow): ExecutionSummary => ({
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
