// Writes a benchmark's table into docs/performance.md between its markers.
import { readFileSync, writeFileSync } from "node:fs";

export function writeBetweenMarkers(path: string, name: string, table: string): void {
  const doc = readFileSync(path, "utf8");
  const start = `<!-- ${name}:start -->`;
  const end = `<!-- ${name}:end -->`;
  const from = doc.indexOf(start);
  const to = doc.indexOf(end);
  if (from < 0 || to < from) throw new Error(`${path} lacks the ${start} … ${end} markers`);
  writeFileSync(
    path,
    `${doc.slice(0, from + start.length)}\n_Last run: ${new Date().toISOString()}_\n\n${table}\n${doc.slice(to)}`,
  );
}
