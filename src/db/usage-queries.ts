// Usage reports (SPEC §14) from the spending entries alone: one entry per ended execution and model, kept
// when the execution is deleted, so a report never changes because runs were deleted.
import { and, asc, type Column, desc, eq, gte, inArray, lte, type SQL, sql } from "drizzle-orm";
import type { UsageGroup } from "../schemas/usage";
import type { Database } from "./client";
import { spendingEntries as spending, userProfiles } from "./schema";

export interface UsageFilter {
  groupBy: UsageGroup;
  /** UTC midnight of the first and of the last day, both included (epoch ms). */
  fromDay: number;
  toDay: number;
  /** Only this user's entries; absent: everyone's. */
  ownerId?: string;
}

/** One group's figures, before the day key is formatted. */
export interface UsageRowData {
  key: string | number;
  /** The tool's name (its latest), or the user's profile. */
  name: string | null;
  email: string | null;
  executions: number;
  completed: number;
  failed: number;
  inputTokens: number;
  outputTokens: number;
  costMicros: number;
}

/** Distinct executions in the group; with `where`, only those it holds for. */
const count = (where?: SQL) => {
  const id = where ? sql`case when ${where} then ${spending.executionId} end` : sql`${spending.executionId}`;
  return sql<number>`count(distinct ${id})`.mapWith(Number);
};
const total = (column: Column) => sql<number>`coalesce(sum(${column}), 0)`.mapWith(Number);

/**
 * The figures of each group. An execution has one day, tool, owner and status on all its entries, so
 * counting distinct execution ids counts each run once per group (per model: once under each model it
 * used). `failed` counts `failed` and `timed_out`; `canceled` counts in `executions` only.
 */
export async function usageRows(db: Database, filter: UsageFilter): Promise<UsageRowData[]> {
  const figures = {
    executions: count(),
    completed: count(eq(spending.status, "completed")),
    failed: count(inArray(spending.status, ["failed", "timed_out"])),
    inputTokens: total(spending.inputTokens),
    outputTokens: total(spending.outputTokens),
    costMicros: total(spending.costMicros),
  };
  const where = and(
    gte(spending.day, filter.fromDay),
    lte(spending.day, filter.toDay),
    filter.ownerId === undefined ? undefined : eq(spending.ownerId, filter.ownerId),
  );
  const byCost = [desc(figures.costMicros), desc(figures.executions)];
  switch (filter.groupBy) {
    case "day": {
      const rows = await db
        .select({ key: spending.day, ...figures })
        .from(spending)
        .where(where)
        .groupBy(spending.day)
        .orderBy(asc(spending.day));
      return rows.map((row) => ({ ...row, name: null, email: null }));
    }
    case "model": {
      const rows = await db
        .select({ key: spending.model, ...figures })
        .from(spending)
        .where(where)
        .groupBy(spending.model)
        .orderBy(...byCost, asc(spending.model));
      return rows.map((row) => ({ ...row, name: null, email: null }));
    }
    case "tool": {
      // With one max() in the query, SQLite takes the bare tool_name from the row holding it: the latest name.
      const rows = await db
        .select({
          key: spending.toolId,
          name: sql<string>`${spending.toolName}`,
          latest: sql`max(${spending.day})`,
          ...figures,
        })
        .from(spending)
        .where(where)
        .groupBy(spending.toolId)
        .orderBy(...byCost, asc(spending.toolId));
      return rows.map(({ latest: _latest, ...row }) => ({ ...row, email: null }));
    }
    case "user":
      return db
        .select({ key: spending.ownerId, name: userProfiles.name, email: userProfiles.email, ...figures })
        .from(spending)
        .leftJoin(userProfiles, eq(userProfiles.userId, spending.ownerId))
        .where(where)
        .groupBy(spending.ownerId)
        .orderBy(...byCost, asc(spending.ownerId));
  }
}
