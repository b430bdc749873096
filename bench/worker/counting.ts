// Counts what an execution costs: D1 statements and Durable Object storage writes (bench only).
import { forward, observeD1 } from "../../test/helpers/observed-d1";

export interface CostCounters {
  d1Statements: number;
  /** Of those, INSERT/UPDATE/DELETE. */
  d1Writes: number;
  storageRowWrites: number;
  kvPuts: number;
}

export const newCounters = (): CostCounters => ({ d1Statements: 0, d1Writes: 0, storageRowWrites: 0, kvPuts: 0 });

const isWrite = (sql: string) => /^\s*(insert|update|delete|replace)/i.test(sql);

/** A D1 binding that counts every statement it runs (singly or in a batch), and the writes among them. */
export function countingD1(real: D1Database, counters: CostCounters): D1Database {
  return observeD1(real, (sql) => {
    counters.d1Statements++;
    if (isWrite(sql)) counters.d1Writes++;
  });
}

/** Durable Object state whose SQL writes and KV puts are counted. */
export function countingState(real: DurableObjectState, counters: CostCounters): DurableObjectState {
  const sql = new Proxy(real.storage.sql, {
    get(target, prop) {
      if (prop === "exec") {
        return (query: string, ...bindings: unknown[]) => {
          if (/^\s*(insert|update|delete|replace)/i.test(query)) counters.storageRowWrites++;
          return target.exec(query, ...bindings);
        };
      }
      return forward(target, prop);
    },
  });
  const kv = new Proxy(real.storage.kv, {
    get(target, prop) {
      if (prop === "put") {
        return (key: string, value: unknown) => {
          counters.kvPuts++;
          return target.put(key, value);
        };
      }
      return forward(target, prop);
    },
  });
  const storage = new Proxy(real.storage, {
    get(target, prop) {
      if (prop === "sql") return sql;
      if (prop === "kv") return kv;
      return forward(target, prop);
    },
  });
  return new Proxy(real, {
    get(target, prop) {
      if (prop === "storage") return storage;
      return forward(target, prop);
    },
  });
}
