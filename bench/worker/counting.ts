// Counts what an execution costs: D1 statements and Durable Object storage writes (bench only).

export interface CostCounters {
  d1Statements: number;
  /** Of those, INSERT/UPDATE/DELETE. */
  d1Writes: number;
  storageRowWrites: number;
  kvPuts: number;
}

export const newCounters = (): CostCounters => ({ d1Statements: 0, d1Writes: 0, storageRowWrites: 0, kvPuts: 0 });

const isWrite = (sql: string) => /^\s*(insert|update|delete|replace)/i.test(sql);

/** A D1 binding that counts every statement it runs (singly or in a batch). */
export function countingD1(real: D1Database, counters: CostCounters): D1Database {
  const wrap = (statement: D1PreparedStatement, sql: string): D1PreparedStatement =>
    new Proxy(statement, {
      get(target, prop) {
        if (prop === "__real") return target;
        if (prop === "__sql") return sql;
        if (prop === "bind") return (...values: unknown[]) => wrap(target.bind(...values), sql);
        if (prop === "run" || prop === "all" || prop === "first" || prop === "raw") {
          return (...args: unknown[]) => {
            counters.d1Statements++;
            if (isWrite(sql)) counters.d1Writes++;
            return (target[prop] as (...a: unknown[]) => unknown).apply(target, args);
          };
        }
        const value = Reflect.get(target, prop, target) as unknown;
        return typeof value === "function" ? value.bind(target) : value;
      },
    });
  return new Proxy(real, {
    get(target, prop) {
      if (prop === "prepare") return (sql: string) => wrap(target.prepare(sql), sql);
      if (prop === "batch") {
        return (statements: D1PreparedStatement[]) => {
          counters.d1Statements += statements.length;
          counters.d1Writes += statements.filter((statement) => isWrite((statement as unknown as { __sql: string }).__sql)).length;
          return target.batch(statements.map((statement) => (statement as unknown as { __real: D1PreparedStatement }).__real));
        };
      }
      const value = Reflect.get(target, prop, target) as unknown;
      return typeof value === "function" ? value.bind(target) : value;
    },
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
      const value = Reflect.get(target, prop, target) as unknown;
      return typeof value === "function" ? value.bind(target) : value;
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
      const value = Reflect.get(target, prop, target) as unknown;
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
  const storage = new Proxy(real.storage, {
    get(target, prop) {
      if (prop === "sql") return sql;
      if (prop === "kv") return kv;
      const value = Reflect.get(target, prop, target) as unknown;
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
  return new Proxy(real, {
    get(target, prop) {
      if (prop === "storage") return storage;
      const value = Reflect.get(target, prop, target) as unknown;
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}
