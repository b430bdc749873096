// Whose execution an id is, for the administrators' reads (any owner's record, audited).
import { eq } from "drizzle-orm";
import type { Database } from "./client";
import { toolExecutions } from "./schema";

/** The owner of execution `id` as D1's index knows it; undefined when it has no row (never was, or deleted). */
export async function findExecutionOwner(db: Database, id: string): Promise<string | undefined> {
  const [row] = await db
    .select({ ownerId: toolExecutions.ownerId })
    .from(toolExecutions)
    .where(eq(toolExecutions.id, id));
  return row?.ownerId;
}
