// Runs after `npm install` (the `prepare` script): builds the typed client's package entry and says, in
// three lines, what a newcomer needs to know: which Node runs the npm scripts, that workerd is there,
// and what to run next.
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";

const version = (name) => JSON.parse(readFileSync(`node_modules/${name}/package.json`, "utf8")).version;

execFileSync(process.execPath, ["scripts/build-client.mjs"], { stdio: "inherit" });

const major = Number(process.versions.node.split(".")[0]);
let workerd;
try {
  workerd = execFileSync("node_modules/.bin/workerd", ["--version"], { encoding: "utf8" }).trim();
} catch {
  workerd = null;
}
const lines = [
  major >= 22
    ? `Node ${process.version} runs every npm script (the \`node\` devDependency), whatever Node your shell has.`
    : `Warning: npm scripts run on Node ${process.version}; the \`node\` devDependency (Node 22) is missing. Run npm install again.`,
  workerd
    ? `${workerd} (package ${version("workerd")}) and wrangler ${version("wrangler")} are installed; the typed client is built in build/client.`
    : "Warning: workerd did not install (its install script must run: see allowScripts in package.json).",
  "Next: npm start",
];
console.log(lines.join("\n"));
