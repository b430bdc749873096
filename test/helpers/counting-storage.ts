// A Durable Object's SQL and KV storage that counts writes and otherwise passes straight through.
// Given to the event log and the object through their storage seam (tests and the benchmark).
import type { SessionStorage } from "../../src/durable/session-storage";
import { forward } from "./observed-d1";

export interface StorageWrites {
  /** SQL statements that write: INSERT, UPDATE, DELETE, REPLACE. */
  rows: number;
  kvPuts: number;
}

const isWrite = (query: string) => /^\s*(insert|update|delete|replace)/i.test(query);

/** `storage` with every row write and KV put counted into `writes`. */
export function countingStorage(storage: SessionStorage, writes: StorageWrites): SessionStorage {
  const sql = new Proxy(storage.sql, {
    get(target, prop) {
      if (prop !== "exec") return forward(target, prop);
      return (query: string, ...bindings: SqlStorageValue[]) => {
        if (isWrite(query)) writes.rows++;
        return target.exec(query, ...bindings);
      };
    },
  });
  const kv = new Proxy(storage.kv, {
    get(target, prop) {
      if (prop !== "put") return forward(target, prop);
      return (key: string, value: unknown) => {
        writes.kvPuts++;
        target.put(key, value);
      };
    },
  });
  return { sql, kv };
}
