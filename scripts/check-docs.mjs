// Docs check: every command in a ```sh block of README.md and docs/*.md is either an npm script
// that exists, a wrangler command the pinned wrangler knows, or part of the README's "Try it"
// block (run verbatim by scripts/smoke-start.sh); every relative link in them (and in the folder
// READMEs) names a file in the repository, and a `#fragment` into Markdown names a heading there.
// Anything else fails, so docs cannot rot.
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, normalize } from "node:path";

const files = [
  "README.md",
  ...readdirSync("docs")
    .filter((name) => name.endsWith(".md"))
    .map((name) => `docs/${name}`),
];
const readmes = execFileSync("git", ["ls-files", "*README.md"], { encoding: "utf8" })
  .split("\n")
  .filter((name) => name && !files.includes(name));
const scripts = Object.keys(JSON.parse(readFileSync("package.json", "utf8")).scripts);
const problems = [];
let checked = 0;

for (const file of files) {
  const text = readFileSync(file, "utf8");
  for (const match of text.matchAll(/(<!-- try-it -->\n)?```sh\n([\s\S]*?)```/g)) {
    if (match[1]) continue; // run by the start smoke test
    const lines = match[2].replace(/\\\n\s*/g, " ").split("\n");
    for (const raw of lines) {
      const line = raw.replace(/\s+#.*$/, "").trim();
      if (!line || line.startsWith("#")) continue;
      checked++;
      const npmRun = /^npm run (?:--silent )?([\w:-]+)/.exec(line);
      if (npmRun) {
        if (!scripts.includes(npmRun[1])) problems.push(`${file}: no npm script "${npmRun[1]}" (${line})`);
        continue;
      }
      if (/^npm (start|test|install)\b/.test(line)) continue;
      const wrangler = /^npx wrangler (.+)$/.exec(line);
      if (wrangler) {
        const args = wrangler[1].split(/\s+/);
        try {
          const help = execFileSync("npx", ["wrangler", ...args, "--help"], {
            encoding: "utf8",
            stdio: ["ignore", "pipe", "pipe"],
            env: { ...process.env, CI: "true" },
          });
          // An unknown subcommand prints its parent's help and exits 0, so compare with the usage
          // line: each leading word must be in it, or stand where it shows a positional (<name>).
          const usage = (help.split("\n").find((text) => text.startsWith("wrangler")) ?? "").split(/\s+/).slice(1);
          const words = args.slice(0, args.findIndex((arg) => arg.startsWith("-")) >>> 0);
          let matched = 0;
          while (matched < words.length && usage[matched] === words[matched]) matched++;
          const unknown =
            words.slice(matched).some((word) => /^[a-z][a-z0-9-]*$/.test(word)) && !/^[<[]/.test(usage[matched] ?? "");
          if (matched === 0 || unknown) problems.push(`${file}: wrangler does not know: ${line}`);
        } catch (error) {
          problems.push(`${file}: wrangler rejected: ${line}\n${error.stderr ?? error.message}`);
        }
        continue;
      }
      problems.push(`${file}: a command no check covers: ${line}`);
    }
  }
}

/** GitHub's heading anchors: lower case, punctuation dropped, spaces to hyphens. */
const slug = (heading) =>
  heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, "")
    .replace(/\s/g, "-");
const anchorsOf = (file) =>
  new Set(
    [...readFileSync(file, "utf8").matchAll(/^#{1,6}\s+(.+)$/gm)].map((match) => slug(match[1].replace(/`/g, ""))),
  );
let links = 0;
for (const file of [...files, ...readmes]) {
  const text = readFileSync(file, "utf8").replace(/```[\s\S]*?```/g, "");
  for (const [, target] of text.matchAll(/\]\(([^)\s]+)\)/g)) {
    if (/^[a-z]+:/i.test(target)) continue;
    links++;
    const [path, fragment] = target.split("#");
    const resolved = path ? normalize(join(dirname(file), path)) : file;
    if (resolved.startsWith("..") || !existsSync(resolved)) {
      problems.push(`${file}: links to ${target}, which is not a file in this repository`);
    } else if (
      fragment &&
      resolved.endsWith(".md") &&
      statSync(resolved).isFile() &&
      !anchorsOf(resolved).has(fragment)
    ) {
      problems.push(`${file}: links to ${target}, but ${resolved} has no heading #${fragment}`);
    }
  }
}

if (problems.length > 0) {
  console.error(problems.join("\n"));
  process.exit(1);
}
console.log(
  `docs check: ${checked} commands in ${files.length} files are real npm scripts or wrangler commands; ${links} links resolve`,
);
