// Prepares a local run: .dev.vars from the example, local D1 migrated and seeded. Safe to run every start.
import { execFileSync } from "node:child_process";
import { copyFileSync, existsSync } from "node:fs";

if (!existsSync(".dev.vars")) {
  copyFileSync(".dev.vars.example", ".dev.vars");
  console.log("Created .dev.vars from .dev.vars.example");
}

const wrangler = (...args) =>
  execFileSync("npx", ["wrangler", ...args], { stdio: "inherit", env: { ...process.env, CI: "true" } });

wrangler("d1", "migrations", "apply", "DB", "--local");
wrangler("d1", "execute", "DB", "--local", "--file", "scripts/seed.sql");
console.log("\nLocal D1 ready. Get a token with: npm run token -- demo-user\n");
