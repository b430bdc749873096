// Builds the Drizzle client over the D1 binding.
import { type DrizzleD1Database, drizzle } from "drizzle-orm/d1";
import * as schema from "./schema";

/** Drizzle over D1, with the binding itself as `$client` (for raw statements in a D1 batch). */
export type Database = DrizzleD1Database<typeof schema> & { $client: D1Database };

/** A Drizzle client for this D1 database (cheap: create one per request or per run). */
export const createDb = (d1: D1Database): Database => drizzle(d1, { schema });

/** A D1 session as the binding Drizzle takes: reads and writes go through the session. */
function sessionAsDatabase(d1: D1Database, session: D1DatabaseSession): D1Database {
  return {
    prepare: (query) => session.prepare(query),
    batch: <T>(statements: D1PreparedStatement[]) => session.batch<T>(statements),
    exec: () => Promise.reject(new Error("exec is not available in a D1 session")),
    withSession: (constraint) => d1.withSession(constraint),
    dump: () => Promise.reject(new Error("dump is not available in a D1 session")),
  };
}

/**
 * Drizzle over a D1 session (the Sessions API): a read a replica may serve, but never one older than
 * `bookmark` (what the user last wrote); "first-primary" for writes whose bookmark is then kept.
 */
export function createSessionDb(
  d1: D1Database,
  constraintOrBookmark: string,
): { db: Database; bookmark: () => string | null } {
  const session = d1.withSession(constraintOrBookmark);
  return { db: drizzle(sessionAsDatabase(d1, session), { schema }), bookmark: () => session.getBookmark() };
}
