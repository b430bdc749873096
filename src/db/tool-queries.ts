// Tool reads and writes. Create and replace write the tool, its fields and prompts in one atomic D1 batch.
import { and, asc, desc, eq, gt, inArray, isNotNull, or, sql } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import type { Database } from "./client";
import { chainPrompts, type ToolRecord, type ToolRow, toolInputFields, tools } from "./schema";

export type { ToolRecord } from "./schema";

import { agentStepOf, inRunOrder, type ToolBody } from "../schemas/tool";

export type ToolScope = "all" | "mine" | "shared";
export type ToolSort = "created" | "lastUsed";

function childRows(toolId: string, body: ToolBody, promptIds: ReadonlyMap<string, string>) {
  const fields = body.inputFields.map((field, position) => ({
    id: crypto.randomUUID(),
    toolId,
    name: field.name,
    label: field.label,
    type: field.type,
    required: field.required,
    options: field.options ?? null,
    position,
  }));
  const prompts = inRunOrder(body.prompts).map((prompt, index) => {
    const step = agentStepOf(prompt);
    return {
      id: promptIds.get(prompt.name) ?? crypto.randomUUID(),
      toolId,
      name: prompt.name,
      position: prompt.position,
      ordinal: index + 1,
      model: prompt.model,
      systemContext: prompt.systemContext ?? null,
      content: prompt.content,
      temperature: prompt.temperature ?? null,
      maxTokens: prompt.maxTokens ?? null,
      tools: step?.tools ?? null,
      maxSteps: step?.maxSteps ?? null,
    };
  });
  return { fields, prompts };
}

function insertChildren(db: Database, rows: ReturnType<typeof childRows>): BatchItem<"sqlite">[] {
  const statements: BatchItem<"sqlite">[] = [];
  if (rows.fields.length > 0) statements.push(db.insert(toolInputFields).values(rows.fields));
  if (rows.prompts.length > 0) statements.push(db.insert(chainPrompts).values(rows.prompts));
  return statements;
}

/** Creates a tool owned by `ownerId`; returns its id. */
export async function insertTool(db: Database, ownerId: string, body: ToolBody): Promise<string> {
  const id = crypto.randomUUID();
  const toolRow = {
    id,
    ownerId,
    name: body.name,
    description: body.description,
    visibility: body.visibility,
    onPromptError: body.onPromptError,
    budgetMicros: body.budget?.maxCostMicros ?? null,
  };
  const [first, ...rest] = [db.insert(tools).values(toolRow), ...insertChildren(db, childRows(id, body, new Map()))];
  await db.batch([first, ...rest]);
  return id;
}

/**
 * Replaces the caller's tool. Prompts keep their ids where the name is unchanged. `audit` runs first in
 * the same batch (it may read the tool as it was). Returns false when there is no such tool owned by `ownerId`.
 */
export async function replaceTool(
  db: Database,
  id: string,
  ownerId: string,
  body: ToolBody,
  audit?: BatchItem<"sqlite">,
): Promise<boolean> {
  const existing = await db
    .select({ name: chainPrompts.name, id: chainPrompts.id })
    .from(tools)
    .leftJoin(chainPrompts, eq(chainPrompts.toolId, tools.id))
    .where(and(eq(tools.id, id), eq(tools.ownerId, ownerId)));
  if (existing.length === 0) return false;
  const promptIds = new Map(existing.flatMap((row) => (row.name && row.id ? [[row.name, row.id] as const] : [])));
  const owned = and(eq(tools.id, id), eq(tools.ownerId, ownerId));
  const update = db
    .update(tools)
    .set({
      name: body.name,
      description: body.description,
      visibility: body.visibility,
      onPromptError: body.onPromptError,
      budgetMicros: body.budget?.maxCostMicros ?? null,
      updatedAt: Date.now(),
    })
    .where(owned);
  // The audit (if any) first: it reads the tool as it was before the update.
  await db.batch([
    audit ?? update,
    ...(audit ? [update] : []),
    db.delete(toolInputFields).where(eq(toolInputFields.toolId, id)),
    db.delete(chainPrompts).where(eq(chainPrompts.toolId, id)),
    ...insertChildren(db, childRows(id, body, promptIds)),
  ]);
  return true;
}

/**
 * Deletes the caller's tool (fields and prompts cascade; executions keep their records); `audit` runs
 * first in the same batch, while the tool is still there to read.
 */
export async function deleteTool(
  db: Database,
  id: string,
  ownerId: string,
  audit?: BatchItem<"sqlite">,
): Promise<boolean> {
  const remove = db
    .delete(tools)
    .where(and(eq(tools.id, id), eq(tools.ownerId, ownerId)))
    .returning({ id: tools.id });
  const deleted = audit ? (await db.batch([audit, remove]))[1] : await remove;
  return deleted.length > 0;
}

/** A tool the user may read and run: their own, or a shared one. */
export async function findReadableTool(db: Database, id: string, userId: string): Promise<ToolRecord | undefined> {
  // One round trip; the fields and prompts are discarded when the tool is not readable.
  const [[tool], inputFields, prompts] = await db.batch([
    db
      .select()
      .from(tools)
      .where(and(eq(tools.id, id), or(eq(tools.ownerId, userId), eq(tools.visibility, "shared")))),
    db.select().from(toolInputFields).where(eq(toolInputFields.toolId, id)).orderBy(asc(toolInputFields.position)),
    db.select().from(chainPrompts).where(eq(chainPrompts.toolId, id)).orderBy(asc(chainPrompts.ordinal)),
  ]);
  return tool ? { tool, inputFields, prompts } : undefined;
}

/** A saved tool as an agent step may use it (`assistant:<id>`): its name, and whether it has an agent step itself. */
export interface AssistantInfo {
  name: string;
  hasAgentStep: boolean;
}

/** Ids per statement: D1 binds at most 100 parameters. */
const IDS_PER_STATEMENT = 90;

/** Of `ids`, the tools `userId` may read (own or shared), by id; the others are absent. */
export async function findReadableAssistants(
  db: Database,
  ids: readonly string[],
  userId: string,
): Promise<Map<string, AssistantInfo>> {
  const found = new Map<string, AssistantInfo>();
  for (let start = 0; start < ids.length; start += IDS_PER_STATEMENT) {
    const chunk = ids.slice(start, start + IDS_PER_STATEMENT);
    const [readable, agentSteps] = await db.batch([
      db
        .select({ id: tools.id, name: tools.name })
        .from(tools)
        .where(and(inArray(tools.id, chunk), or(eq(tools.ownerId, userId), eq(tools.visibility, "shared")))),
      db
        .selectDistinct({ toolId: chainPrompts.toolId })
        .from(chainPrompts)
        .where(and(inArray(chainPrompts.toolId, chunk), isNotNull(chainPrompts.tools))),
    ]);
    const withSteps = new Set(agentSteps.map((row) => row.toolId));
    for (const tool of readable) found.set(tool.id, { name: tool.name, hasAgentStep: withSteps.has(tool.id) });
  }
  return found;
}

/**
 * When `userId` last ran the tool (null: never), for the `lastUsed` order. Table names written out:
 * Drizzle leaves columns unqualified in a one-table select, and `id` here must be the tool's.
 */
const lastUsedBy = (userId: string) =>
  sql<number | null>`(SELECT max(used.created_at) FROM tool_executions AS used
    WHERE used.owner_id = ${userId} AND used.tool_id = tools.id)`;

/**
 * Tools the user sees: their own, the shared ones, or both; newest first, or (`lastUsed`) by the user's
 * latest execution of each, tools they never ran after those (newest first).
 */
export async function listTools(
  db: Database,
  userId: string,
  scope: ToolScope,
  limit: number,
  sort: ToolSort = "created",
): Promise<ToolRow[]> {
  const mine = eq(tools.ownerId, userId);
  const shared = eq(tools.visibility, "shared");
  const where = scope === "mine" ? mine : scope === "shared" ? shared : or(mine, shared);
  const newest = [desc(tools.createdAt), desc(tools.id)];
  const lastUsed = lastUsedBy(userId);
  const order = sort === "lastUsed" ? [sql`${lastUsed} IS NULL`, desc(lastUsed), ...newest] : newest;
  return db
    .select()
    .from(tools)
    .where(where)
    .orderBy(...order)
    .limit(limit);
}

/** The owner's own tools, whole, in id order after `after` (an export reads them page by page). */
export async function listOwnToolRecords(
  db: Database,
  ownerId: string,
  limit: number,
  after?: string,
): Promise<ToolRecord[]> {
  const mine = eq(tools.ownerId, ownerId);
  const rows = await db
    .select()
    .from(tools)
    .where(after === undefined ? mine : and(mine, gt(tools.id, after)))
    .orderBy(asc(tools.id))
    .limit(limit);
  if (rows.length === 0) return [];
  const ids = rows.map((row) => row.id);
  const [inputFields, prompts] = await db.batch([
    db
      .select()
      .from(toolInputFields)
      .where(inArray(toolInputFields.toolId, ids))
      .orderBy(asc(toolInputFields.position)),
    db.select().from(chainPrompts).where(inArray(chainPrompts.toolId, ids)).orderBy(asc(chainPrompts.ordinal)),
  ]);
  return rows.map((tool) => ({
    tool,
    inputFields: inputFields.filter((field) => field.toolId === tool.id),
    prompts: prompts.filter((prompt) => prompt.toolId === tool.id),
  }));
}
