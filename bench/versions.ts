// The installed version of a package, for the benchmark tables' headers.
import { readFileSync } from "node:fs";

export const packageVersion = (name: string): string =>
  (JSON.parse(readFileSync(`node_modules/${name}/package.json`, "utf8")) as { version: string }).version;
