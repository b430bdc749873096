// Builds the Drizzle client over the D1 binding.
import { type DrizzleD1Database, drizzle } from "drizzle-orm/d1";
import * as schema from "./schema";

/** Drizzle over D1, with the binding itself as `$client` (for raw statements in a D1 batch). */
export type Database = DrizzleD1Database<typeof schema> & { $client: D1Database };

/** A Drizzle client for this D1 database (cheap: create one per request or per run). */
export const createDb = (d1: D1Database): Database => drizzle(d1, { schema });
