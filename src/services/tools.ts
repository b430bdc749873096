// Tool use cases: save (checked as a whole), read, list, replace and delete, for one user. Writes go
// through a D1 session on the primary, whose bookmark the user's account keeps: the user's next read of
// a tool for a run (through the Sessions API, which a read replica may serve) is never older.
import { sharedToolChangeAudit } from "../db/audit-log";
import { createSessionDb, type Database } from "../db/client";
import type { ToolRecord, ToolRow } from "../db/schema";
import {
  deleteTool,
  findReadableTool,
  insertTool,
  listTools,
  replaceTool,
  type ToolScope,
  type ToolSort,
} from "../db/tool-queries";
import { notFound } from "../lib/errors";
import { describeError, log } from "../lib/log";
import type { McpConfig } from "../lib/mcp-config";
import { assertModelsListed, assertModelsPriced, type ModelCatalogue } from "../lib/model-catalogue";
import { assertToolIsConsistent, type ToolBody } from "../schemas/tool";
import { userAccount } from "./accounts";
import { type AgentStepContext, assertAgentStepsSaveable } from "./agent-steps";

/**
 * A tool the user may read and run, for a new execution: read through the D1 Sessions API (a replica
 * may answer), never older than `bookmark`, the user's own last write of a tool (their account keeps it).
 */
export function readTool(
  env: Env,
  userId: string,
  toolId: string,
  bookmark: string | null,
): Promise<ToolRecord | undefined> {
  return findReadableTool(createSessionDb(env.DB, bookmark ?? "first-unconstrained").db, toolId, userId);
}

/**
 * What a save checks (and a draft run, SPEC §5): the whole-tool checks; (ALLOW_UNLISTED_MODELS=false)
 * that every model is in the catalogue; and with a budget, that every model has a price.
 */
export function assertToolSaveable(body: ToolBody, catalogue: ModelCatalogue): void {
  assertToolIsConsistent(body);
  const pathOf = (index: number) => `prompts.${index}`;
  assertModelsListed(catalogue, body.prompts, pathOf);
  if (body.budget) assertModelsPriced(catalogue, body.prompts, pathOf, "the budget");
}

/**
 * Everything a save checks: `assertToolSaveable`, then the agent steps' tools (SPEC §12), which may ask
 * the MCP servers and D1 (`assertAgentStepsSaveable`).
 */
export async function assertToolSaveableWithTools(
  body: ToolBody,
  catalogue: ModelCatalogue,
  context: AgentStepContext,
): Promise<void> {
  assertToolSaveable(body, catalogue);
  await assertAgentStepsSaveable(body, context);
}

/** The tools API for one request's database. Missing and someone else's tools both answer `not_found`. */
export class ToolService {
  constructor(
    private readonly env: Env,
    private readonly db: Database,
    private readonly catalogue: ModelCatalogue,
    private readonly mcp: McpConfig,
  ) {}

  async create(userId: string, body: ToolBody): Promise<ToolRecord> {
    await this.check(body, userId);
    const id = await this.writing(userId, (db) => insertTool(db, userId, body));
    return this.get(userId, id);
  }

  /** A tool the user may read and run: their own or a shared one. */
  async get(userId: string, toolId: string): Promise<ToolRecord> {
    const record = await findReadableTool(this.db, toolId, userId);
    if (!record) throw notFound("Tool");
    return record;
  }

  /** `sort`: `created` (newest first) or `lastUsed` (by the user's latest execution of each). */
  list(userId: string, scope: ToolScope, limit: number, sort: ToolSort = "created"): Promise<ToolRow[]> {
    return listTools(this.db, userId, scope, limit, sort);
  }

  /**
   * Replaces the user's own tool (prompts keep their ids where the name is unchanged). A tool shared
   * before or after it is audited (`tool.shared_changed`) in the same D1 transaction as the change.
   */
  async replace(userId: string, toolId: string, body: ToolBody): Promise<ToolRecord> {
    await this.check(body, userId, toolId);
    const replaced = await this.writing(userId, (db) =>
      replaceTool(db, toolId, userId, body, this.sharedChange(db, userId, toolId, body.visibility === "shared")),
    );
    if (!replaced) throw notFound("Tool");
    return this.get(userId, toolId);
  }

  /** Deletes the user's own tool; a shared one is audited in the same D1 transaction. */
  async delete(userId: string, toolId: string): Promise<void> {
    const deleted = await this.writing(userId, (db) =>
      deleteTool(db, toolId, userId, this.sharedChange(db, userId, toolId, false)),
    );
    if (!deleted) throw notFound("Tool");
  }

  private sharedChange(db: Database, userId: string, toolId: string, sharedAfter: boolean) {
    return sharedToolChangeAudit(db, { at: Date.now(), actor: userId, toolId, ownerId: userId, sharedAfter });
  }

  /** A write on the primary; its bookmark goes to the user's account (a failure to keep it is only logged). */
  private async writing<T>(userId: string, write: (db: Database) => Promise<T>): Promise<T> {
    const session = createSessionDb(this.env.DB, "first-primary");
    const result = await write(session.db);
    const bookmark = session.bookmark();
    if (bookmark)
      await userAccount(this.env, userId)
        .rememberToolsBookmark(bookmark)
        .catch((error: unknown) => log("warn", "could not keep the tools bookmark", { error: describeError(error) }));
    return result;
  }

  private check(body: ToolBody, userId: string, toolId?: string): Promise<void> {
    return assertToolSaveableWithTools(body, this.catalogue, { db: this.db, mcp: this.mcp, userId, toolId });
  }
}
