// A user's data, exported (GET /api/me/export): their own tools, then their executions newest first,
// each as its record with whole outputs. Read page by page, so the response streams whatever the size.
import type { Database } from "../db/client";
import { readOwnExecution } from "../db/execution-contents";
import type { ToolRecord } from "../db/schema";
import { listOwnToolRecords } from "../db/tool-queries";
import { type ExecutionRecord, findRecord, listRecords } from "./execution-reads";

const PAGE = 50;

export type ExportItem = { type: "tool"; tool: ToolRecord } | { type: "execution"; record: ExecutionRecord };

/** The user's tools and executions, one at a time. */
export async function* exportItems(env: Env, db: Database, userId: string): AsyncGenerator<ExportItem> {
  for (let after: string | undefined; ; ) {
    const tools = await listOwnToolRecords(db, userId, PAGE, after);
    for (const tool of tools) yield { type: "tool", tool };
    if (tools.length < PAGE) break;
    after = tools.at(-1)?.tool.id;
  }
  for (let cursor: { createdAt: number; id: string } | undefined; ; ) {
    const page = await listRecords(env, db, userId, { limit: PAGE, cursor });
    for (const item of page) {
      // An ended run is read from D1 and R2 directly (no object call); a live one, or one D1 does not hold yet, from its object.
      const ended = item.completedAt !== null;
      const record =
        (ended ? await readOwnExecution(db, env.OUTPUTS, item.id, userId) : undefined) ??
        (await findRecord(env, db, userId, item.id));
      if (record) yield { type: "execution", record };
    }
    const last = page.at(-1);
    if (page.length < PAGE || !last) break;
    cursor = { createdAt: last.createdAt, id: last.id };
  }
}
