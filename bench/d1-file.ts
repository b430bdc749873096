// The local D1 database of a `wrangler dev` (the SQLite file under its persist directory), read from
// Node: how many bytes its used pages take, and (dbstat) how many each table and index takes. Read only
// while the Worker is quiet; the file is SQLite's own, so these are the figures D1 bills and caps
// (a database's size is its pages).
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";

/** One table's or index's pages, from dbstat. */
export interface ObjectSize {
  /** Bytes of its pages (pages × page size). */
  bytes: number;
  /** Bytes of record payload in them (the rest is headers, cell pointers and free space). */
  payload: number;
  pages: number;
}

export interface D1Snapshot {
  pageSize: number;
  /** (page_count − freelist_count) × page_size: what the database takes, free pages left out. */
  usedBytes: number;
  /** By table or index name (`sqlite_autoindex_…` are primary keys and unique constraints). */
  objects: Map<string, ObjectSize>;
}

/** The D1 database file of the `DB` binding under a `wrangler dev --persist-to` directory. */
export function findD1File(persistTo: string): string {
  const dir = join(persistTo, "v3", "d1", "miniflare-D1DatabaseObject");
  const files = readdirSync(dir).filter((name) => name.endsWith(".sqlite") && name !== "metadata.sqlite");
  if (files.length !== 1) throw new Error(`expected one D1 database in ${dir}, found ${files.join(", ") || "none"}`);
  return join(dir, files[0] as string);
}

/** Reads the file's page counts and dbstat (read only). */
export function snapshotD1(file: string): D1Snapshot {
  const db = new DatabaseSync(file, { readOnly: true });
  try {
    const one = (pragma: string) => Number((db.prepare(`PRAGMA ${pragma}`).get() as Record<string, unknown>)[pragma]);
    const pageSize = one("page_size");
    const usedBytes = (one("page_count") - one("freelist_count")) * pageSize;
    const rows = db
      .prepare(
        "SELECT name, count(*) AS pages, sum(pgsize) AS bytes, sum(payload) AS payload FROM dbstat GROUP BY name",
      )
      .all() as unknown as { name: string; pages: number; bytes: number; payload: number }[];
    const objects = new Map(
      rows.map((row) => [row.name, { bytes: row.bytes, payload: row.payload, pages: row.pages }]),
    );
    return { pageSize, usedBytes, objects };
  } finally {
    db.close();
  }
}

/** What each table and index grew by between two snapshots, largest first (those that grew). */
export function growth(before: D1Snapshot, after: D1Snapshot): ({ name: string } & ObjectSize)[] {
  const zero: ObjectSize = { bytes: 0, payload: 0, pages: 0 };
  return [...after.objects]
    .map(([name, size]) => {
      const was = before.objects.get(name) ?? zero;
      return {
        name,
        bytes: size.bytes - was.bytes,
        payload: size.payload - was.payload,
        pages: size.pages - was.pages,
      };
    })
    .filter((row) => row.bytes !== 0 || row.payload !== 0)
    .sort((a, b) => b.bytes - a.bytes);
}

/** The bytes SQLite stores a value in (its record body; each column adds about a byte of header). */
const storedBytes = (column: string) => `CASE typeof("${column}")
  WHEN 'null' THEN 0 WHEN 'real' THEN 8
  WHEN 'integer' THEN CASE WHEN "${column}" IN (0, 1) THEN 0 WHEN abs("${column}") < 128 THEN 1
    WHEN abs("${column}") < 32768 THEN 2 WHEN abs("${column}") < 8388608 THEN 3
    WHEN abs("${column}") < 2147483648 THEN 4 WHEN abs("${column}") < 140737488355328 THEN 6 ELSE 8 END
  ELSE length(CAST("${column}" AS BLOB)) END`;

/** The columns of `table` with their stored bytes summed over `where` rows (what makes up a row's payload). */
export function columnBytes(file: string, table: string, where = "1"): { column: string; bytes: number }[] {
  const db = new DatabaseSync(file, { readOnly: true });
  try {
    const columns = (db.prepare(`PRAGMA table_info(${table})`).all() as unknown as { name: string }[]).map(
      (row) => row.name,
    );
    const sums = columns.map((column) => `coalesce(sum(${storedBytes(column)}), 0) AS "${column}"`);
    const totals = db.prepare(`SELECT ${sums.join(", ")} FROM ${table} WHERE ${where}`).get() as Record<string, number>;
    return columns.map((column) => ({ column, bytes: Number(totals[column] ?? 0) })).sort((a, b) => b.bytes - a.bytes);
  } finally {
    db.close();
  }
}
