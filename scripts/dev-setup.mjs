// Prepares a local run: .dev.vars from the example, local D1 migrated and seeded. Safe to run every start.
// Quiet: wrangler's tables and JSON are kept back and shown only if a step fails (or with VERBOSE=1).
import { execFileSync } from "node:child_process";
import { copyFileSync, existsSync } from "node:fs";

const verbose = process.env.VERBOSE === "1";

if (!existsSync(".dev.vars")) {
  copyFileSync(".dev.vars.example", ".dev.vars");
  console.log("Created .dev.vars from .dev.vars.example (local secrets; never committed).");
}

function wrangler(...args) {
  try {
    execFileSync("npx", ["wrangler", ...args], {
      stdio: verbose ? "inherit" : "pipe",
      env: { ...process.env, CI: "true" },
    });
  } catch (error) {
    process.stderr.write(`${error.stdout ?? ""}${error.stderr ?? ""}`);
    console.error(`\nLocal set-up failed at: wrangler ${args.join(" ")}`);
    process.exit(1);
  }
}

wrangler("d1", "migrations", "apply", "DB", "--local");
wrangler("d1", "execute", "DB", "--local", "--file", "scripts/seed.sql");
