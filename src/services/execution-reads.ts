// Reading the caller's executions: one from its run's object (a live or recent run, each prompt's
// output so far), else from D1's record; the list from D1's index merged with what the caller's
// account knows D1 has not indexed yet (read your writes). The account also says what is being
// deleted: such an execution is not found, on every path, from the moment its deletion was accepted.
import type { Database } from "../db/client";
import { type ExecutionContents, readOwnExecution } from "../db/execution-contents";
import { type ExecutionListQuery, listExecutions } from "../db/execution-queries";
import { type ExecutionSummary, summaryOfRow } from "../db/execution-summary";
import type { ExecutionSession } from "../durable/execution-session";
import { isHidden } from "../durable/user/deletions";
import { userAccount } from "./accounts";

export type ExecutionRecord = ExecutionContents;

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
  const [live, deletion] = await Promise.all([
    executionObject(env, executionId).record(userId),
    userAccount(env, userId).deletionView(executionId),
  ]);
  if (live === "deleted" || deletion.deleted) return undefined;
  const record = live ?? (await readOwnExecution(db, env.OUTPUTS, executionId, userId));
  return record && !isHidden(deletion, record.execution.createdAt) ? record : undefined;
}

/** Whether the caller's execution is being (or was) deleted: every read of it is then a 404. */
export async function isDeleted(env: Env, userId: string, executionId: string, createdAt: number): Promise<boolean> {
  return isHidden(await userAccount(env, userId).deletionView(executionId), createdAt);
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
  const [rows, view] = await Promise.all([listExecutions(db, userId, query), userAccount(env, userId).listView()]);
  const hidden = new Set(view.hiddenIds);
  const byId = new Map(
    rows
      .filter((row) => row.createdAt >= view.hiddenBefore && !hidden.has(row.id))
      .map((row) => [row.id, summaryOfRow(row)]),
  );
  // What D1 has not indexed yet is searched in its list item's previews (its inputs' line and answer).
  const q = query.q?.toLowerCase();
  const fresh = q
    ? view.unindexed.filter((item) => `${item.inputsPreview}\n${item.outputPreview ?? ""}`.toLowerCase().includes(q))
    : view.unindexed;
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
