// Builds the typed client as this package's `./client` entry: build/client/index.js (ESM, no
// dependencies) and its declarations (build/client/types), so another project can
// `import { createClient } from "assistant-architect-stream/client"` (README, "Typed client").
import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { build } from "esbuild";

rmSync("build/client", { recursive: true, force: true });
await build({
  entryPoints: ["src/client/index.ts"],
  outfile: "build/client/index.js",
  bundle: true,
  format: "esm",
  target: "es2022",
  sourcemap: true,
  logLevel: "warning",
});
execFileSync(process.execPath, ["node_modules/typescript/bin/tsc", "-p", "tsconfig.client.json"], { stdio: "inherit" });

// The declarations keep the source's extensionless relative imports, which TypeScript's node16/nodenext
// resolution refuses in an ESM package: name the .js each one stands for (a .d.ts answers for it).
for (const file of readdirSync("build/client/types", { recursive: true })) {
  if (!String(file).endsWith(".d.ts")) continue;
  const path = `build/client/types/${file}`;
  const text = readFileSync(path, "utf8").replace(
    /((?:from|import\()\s*["'])(\.{1,2}\/[^"']+?)(["'])/g,
    (whole, before, specifier, after) => (/\.[cm]?js$/.test(specifier) ? whole : `${before}${specifier}.js${after}`),
  );
  writeFileSync(path, text);
}
