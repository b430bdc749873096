// The one Hono environment type: Worker bindings plus what middleware puts on the context.
import type { Database } from "./db/client";
import type { Config } from "./lib/config";

export interface AppVariables {
  requestId: string;
  config: Config;
  db: Database;
  /** The authenticated user (`sub`). */
  userId: string;
  /** Set when the request was authorised by a stream token: the one execution it may read. */
  streamTokenExecutionId?: string;
}

export type AppEnv = { Bindings: Env; Variables: AppVariables };
