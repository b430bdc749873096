// Counts what an execution costs: D1 statements and Durable Object storage writes (bench only).
import type { StorageWrites } from "../../test/helpers/counting-storage";
import { observeD1 } from "../../test/helpers/observed-d1";

export interface CostCounters {
  d1Statements: number;
  /** Of those, INSERT/UPDATE/DELETE. */
  d1Writes: number;
  /** The object's SQL row writes and KV puts. */
  storage: StorageWrites;
}

export const newCounters = (): CostCounters => ({ d1Statements: 0, d1Writes: 0, storage: { rows: 0, kvPuts: 0 } });

/** An INSERT, UPDATE, DELETE or REPLACE statement. */
export const isWrite = (sql: string) => /^\s*(insert|update|delete|replace)/i.test(sql);

/** A D1 binding that counts every statement it runs (singly or in a batch), and the writes among them. */
export function countingD1(real: D1Database, counters: CostCounters): D1Database {
  return observeD1(real, (sql) => {
    counters.d1Statements++;
    if (isWrite(sql)) counters.d1Writes++;
  });
}
