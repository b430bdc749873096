// Reading the caller's executions: one from its run's object (a live or recent run, each prompt's
// output so far), else from D1's record; the list from D1's index merged with what the caller's
// account knows D1 has not indexed yet (read your writes).
import type { Database } from "../db/client";
import { type ExecutionListQuery, findOwnExecution, findPromptResults, listExecutions } from "../db/execution-queries";
import { type ExecutionSummary, summaryOfRow } from "../db/execution-summary";
import type { ExecutionRow, PromptResultRow } from "../db/schema";
import type { ExecutionSession } from "../durable/execution-session";
import { userAccount } from "./accounts";

export interface ExecutionRecord {
  execution: ExecutionRow;
  results: PromptResultRow[];
}

/** The object of one execution. */
export const executionObject = (env: Env, executionId: string): DurableObjectStub<ExecutionSession> =>
  env.EXECUTION_SESSION.get(env.EXECUTION_SESSION.idFromName(executionId));

/** The caller's execution with its prompt results in run order, or undefined (someone else's looks the same). */
export async function findRecord(
  env: Env,
  db: Database,
  userId: string,
  executionId: string,
): Promise<ExecutionRecord | undefined> {
  const live = await executionObject(env, executionId).record(userId);
  if (live) return live;
  const execution = await findOwnExecution(db, executionId, userId);
  return execution ? { execution, results: await findPromptResults(db, executionId) } : undefined;
}

/** Newest first, then by id: the list's order. */
const newerFirst = (a: ExecutionSummary, b: ExecutionSummary) =>
  b.createdAt - a.createdAt || (b.id < a.id ? -1 : b.id > a.id ? 1 : 0);

/** The caller's executions, newest first: D1's index, with the account's newer knowledge over it. */
export async function listRecords(
  env: Env,
  db: Database,
  userId: string,
  query: ExecutionListQuery,
): Promise<ExecutionSummary[]> {
  const [rows, fresh] = await Promise.all([listExecutions(db, userId, query), userAccount(env, userId).unindexed()]);
  const byId = new Map(rows.map((row) => [row.id, summaryOfRow(row)]));
  const cursor = query.cursor;
  for (const item of fresh) {
    const matches =
      (!query.toolId || item.toolId === query.toolId) &&
      (!query.status || item.status === query.status) &&
      (!query.sourceExecutionId || item.sourceExecutionId === query.sourceExecutionId) &&
      (!cursor || item.createdAt < cursor.createdAt || (item.createdAt === cursor.createdAt && item.id < cursor.id));
    if (matches) byId.set(item.id, item);
    else if (byId.has(item.id)) byId.delete(item.id);
  }
  return [...byId.values()].sort(newerFirst).slice(0, query.limit);
}
