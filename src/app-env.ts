// The one Hono environment type: Worker bindings plus what middleware puts on the context.
import type { Database } from "./db/client";
import type { Config } from "./lib/config";

export interface AppVariables {
  requestId: string;
  config: Config;
  db: Database;
  /** The Bearer-authenticated user (`sub`); unset only on the events route when a stream token is used instead. */
  userId: string;
}

export type AppEnv = { Bindings: Env; Variables: AppVariables };
