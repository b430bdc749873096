// Tool use cases: save (checked as a whole), read, list, replace and delete, for one user.
import type { Database } from "../db/client";
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
import { assertModelsListed, assertModelsPriced, type ModelCatalogue } from "../lib/model-catalogue";
import { assertToolIsConsistent, type ToolBody } from "../schemas/tool";

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

/** The tools API for one request's database. Missing and someone else's tools both answer `not_found`. */
export class ToolService {
  constructor(
    private readonly db: Database,
    private readonly catalogue: ModelCatalogue,
  ) {}

  async create(userId: string, body: ToolBody): Promise<ToolRecord> {
    this.check(body);
    return this.get(userId, await insertTool(this.db, userId, body));
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

  /** Replaces the user's own tool (prompts keep their ids where the name is unchanged). */
  async replace(userId: string, toolId: string, body: ToolBody): Promise<ToolRecord> {
    this.check(body);
    if (!(await replaceTool(this.db, toolId, userId, body))) throw notFound("Tool");
    return this.get(userId, toolId);
  }

  async delete(userId: string, toolId: string): Promise<void> {
    if (!(await deleteTool(this.db, toolId, userId))) throw notFound("Tool");
  }

  private check(body: ToolBody): void {
    assertToolSaveable(body, this.catalogue);
  }
}
