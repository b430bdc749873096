// Usage reports (SPEC §14): the days asked for (UTC, both included, the last 30 by default), the rows from
// the spending entries with a label where one helps, and the answer as JSON or as a CSV download.
import type { Database } from "../db/client";
import { type UsageRowData, usageRows } from "../db/usage-queries";
import { toCsv } from "../lib/csv";
import { AppError } from "../lib/errors";
import type { UsageGroup, UsageReport, UsageRow } from "../schemas/usage";

const DAY_MS = 86_400_000;
/** Days a report covers when `from` is not given (today included). */
export const REPORT_DEFAULT_DAYS = 30;
/** The longest report: a whole leap year. */
export const REPORT_MAX_DAYS = 366;

export interface UsageRequest {
  from?: string;
  to?: string;
  groupBy: UsageGroup;
  format: "json" | "csv";
}

const dayText = (ms: number) => new Date(ms).toISOString().slice(0, 10);
const dayStart = (ms: number) => ms - (ms % DAY_MS);

const invalid = (field: "from" | "to", message: string) =>
  new AppError("validation_failed", `Invalid query: ${field}: ${message}`, {
    details: { fields: [{ path: field, message }] },
  });

/**
 * The first and last day of a report, both included: `to` defaults to today (UTC), `from` to the 30 days
 * ending on `to`. `from` after `to`, or more than 366 days, is a 400 naming the field.
 */
export function reportDays(
  from: string | undefined,
  to: string | undefined,
  now: number,
): { fromDay: number; toDay: number } {
  const toDay = to === undefined ? dayStart(now) : Date.parse(`${to}T00:00:00Z`);
  const fromDay = from === undefined ? toDay - (REPORT_DEFAULT_DAYS - 1) * DAY_MS : Date.parse(`${from}T00:00:00Z`);
  if (fromDay > toDay) throw invalid("from", `must be on or before to (${dayText(toDay)})`);
  if ((toDay - fromDay) / DAY_MS + 1 > REPORT_MAX_DAYS)
    throw invalid(from === undefined ? "to" : "from", `a report covers at most ${REPORT_MAX_DAYS} days`);
  return { fromDay, toDay };
}

function labelOf(groupBy: UsageGroup, row: UsageRowData): string | undefined {
  if (groupBy === "tool") return row.name ?? undefined;
  if (groupBy !== "user") return undefined;
  if (row.name && row.email) return `${row.name} <${row.email}>`;
  return row.name ?? row.email ?? undefined;
}

/** The report for `request`: everyone's, or only `ownerId`'s. */
export async function usageReport(
  db: Database,
  request: UsageRequest,
  scope: { ownerId?: string },
  now = Date.now(),
): Promise<UsageReport> {
  const { fromDay, toDay } = reportDays(request.from, request.to, now);
  const data = await usageRows(db, { groupBy: request.groupBy, fromDay, toDay, ...scope });
  const rows = data.map((row): UsageRow => {
    const label = labelOf(request.groupBy, row);
    return {
      key: typeof row.key === "number" ? dayText(row.key) : row.key,
      ...(label === undefined ? {} : { label }),
      executions: row.executions,
      completed: row.completed,
      failed: row.failed,
      inputTokens: row.inputTokens,
      outputTokens: row.outputTokens,
      costMicros: row.costMicros,
    };
  });
  return { from: dayText(fromDay), to: dayText(toDay), groupBy: request.groupBy, rows };
}

const CSV_HEADER = ["key", "label", "executions", "completed", "failed", "inputTokens", "outputTokens", "costMicros"];

/**
 * The report as the API answers it: `{from, to, groupBy, rows}` (the days it covers), or with `format=csv` the same rows as a CSV download (a
 * byte-order mark first, so spreadsheets read names as UTF-8). `name` starts the file's name.
 */
export function usageResponse(report: UsageReport, format: "json" | "csv", name: string): Response {
  const headers = { "Cache-Control": "private, no-store" };
  if (format === "json") return Response.json(report, { headers: { ...headers, "Content-Type": "application/json" } });
  const csv = toCsv(
    CSV_HEADER,
    report.rows.map((row) => [
      row.key,
      row.label,
      row.executions,
      row.completed,
      row.failed,
      row.inputTokens,
      row.outputTokens,
      row.costMicros,
    ]),
  );
  const filename = `${name}-by-${report.groupBy}-${report.from}-to-${report.to}.csv`;
  return new Response(`\uFEFF${csv}`, {
    headers: {
      ...headers,
      "Content-Type": "text/csv; charset=utf-8",
      "Content-Disposition": `attachment; filename="${filename}"`,
    },
  });
}
