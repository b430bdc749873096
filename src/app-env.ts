// The one Hono environment type: Worker bindings plus what middleware puts on the context.
import type { Database } from "./db/client";
import type { Config } from "./lib/config";
import type { Authentication } from "./lib/identity";
import type { DeletionService } from "./services/deletions";
import type { ExecutionService } from "./services/executions";
import type { ToolService } from "./services/tools";

export interface AppVariables {
  requestId: string;
  config: Config;
  db: Database;
  /** The use cases, built once per request over `db` and `config`. */
  executions: ExecutionService;
  tools: ToolService;
  deletions: DeletionService;
  /** The authenticated user (`sub`). Unset only on the events route when it is authorised by a stream token instead (that route checks). */
  userId: string;
  /** How /api/* (and GET /auth/me) authenticated the request, and what is known of the caller. */
  auth: Authentication;
}

export type AppEnv = { Bindings: Env; Variables: AppVariables };
