// What a usage report answers (SPEC §14): the server builds it (services/usage.ts), the typed client and
// the page's Usage screen read it.

export type UsageGroup = "day" | "tool" | "model" | "user";

/** One row of a report, as the API answers it. */
export interface UsageRow {
  /** The day (`YYYY-MM-DD`), tool id, model name or user id. */
  key: string;
  /** The tool's name, or the user's name and email; absent for days and models. */
  label?: string;
  executions: number;
  completed: number;
  failed: number;
  inputTokens: number;
  outputTokens: number;
  costMicros: number;
}

export interface UsageReport {
  from: string;
  to: string;
  groupBy: UsageGroup;
  rows: UsageRow[];
}
