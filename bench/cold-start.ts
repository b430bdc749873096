// Cold start: each Worker's deployable bundle (`wrangler deploy --dry-run`: raw and gzipped, as
// Cloudflare counts it) and the time from starting a fresh workerd on that bundle (Miniflare, the
// library `wrangler dev` runs workerd through, so wrangler's own bundling and start are left out) to its
// first successful answer. Ours (src/index.ts with wrangler.toml's bindings), the bare relay (the openai
// SDK straight to SSE) and an empty Worker with ours' bindings and with none (the floors: workerd and
// the local bindings starting), interleaved, median of `runs`.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { gzipSync } from "node:zlib";
import { convertV4MiniflareOptions, Miniflare, type V4MiniflareOptions } from "miniflare";
import { unstable_getMiniflareWorkerOptions, unstable_readConfig } from "wrangler";
import { cleanupOnExit } from "./reaper.ts";
import { fmt, median, now } from "./stats.ts";

export interface ColdStart {
  name: string;
  /** Bytes of the bundle's modules (source maps left out). */
  rawBytes: number;
  /** Those modules gzipped one by one, summed. */
  gzipBytes: number;
  /** wrangler's own "Total Upload … / gzip …" line. */
  wranglerSays: string;
  /** The bundle's bytes by package (or folder of ours), largest first. */
  parts: { name: string; bytes: number }[];
  /** ms from starting workerd to it listening (its scripts loaded), each run. */
  readyMs: number[];
  /** ms from starting workerd to the first 200, each run. */
  firstAnswerMs: number[];
}

interface Subject {
  name: string;
  /** A wrangler config that bundles it. */
  config: string;
  /** Bundled with `--minify`. */
  minify?: boolean;
  /** A path that answers 200 without I/O (no D1, no upstream). */
  path: string;
  /** Started with wrangler.toml's bindings (D1, the object, the rate limiter, the vars), or with none. */
  bound: boolean;
}

/** The secrets wrangler.toml requires, for the bundle step and the bound starts. */
const WORKER_SECRETS = { JWT_SECRET: "cold-start-secret-0123456789abcdef0123", OPENAI_API_KEY: "cold-start" };

/** A config that bundles `entry` alone, in `dir` (the entry's path made absolute). */
function bareConfig(dir: string, name: string, entry: string): string {
  const { compatibility_date } = unstable_readConfig({ config: "wrangler.toml" });
  const path = join(dir, `${name}.toml`);
  writeFileSync(path, `name = "${name}"\nmain = "${resolve(entry)}"\ncompatibility_date = "${compatibility_date}"\n`);
  return path;
}

const ROOT = process.cwd().replace(/^\//, "");

/** Bytes of the bundle by where they came from: a package (node_modules/…) or a folder of ours. */
function partsOf(metafile: string): { name: string; bytes: number }[] {
  const meta = JSON.parse(readFileSync(metafile, "utf8")) as {
    outputs: Record<string, { inputs: Record<string, { bytesInOutput: number }> }>;
  };
  const parts = new Map<string, number>();
  for (const output of Object.values(meta.outputs)) {
    for (const [input, { bytesInOutput }] of Object.entries(output.inputs)) {
      const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(input)?.[1];
      // Ours: the first folder under the project (src, bench), however esbuild wrote the path.
      const local = input.slice(input.indexOf(ROOT) < 0 ? 0 : input.indexOf(ROOT) + ROOT.length);
      const name = pkg ?? local.replace(/^(\.\.\/|\/)+/, "").split("/")[0] ?? input;
      parts.set(name, (parts.get(name) ?? 0) + bytesInOutput);
    }
  }
  return [...parts].map(([name, bytes]) => ({ name, bytes })).sort((a, b) => b.bytes - a.bytes);
}

function bundle(subject: Subject, outdir: string) {
  const metafile = `${outdir}.meta.json`;
  const output = execFileSync(
    "npx",
    [
      "wrangler",
      "deploy",
      "--dry-run",
      "--outdir",
      outdir,
      "--metafile",
      metafile,
      "--config",
      subject.config,
      ...(subject.minify ? ["--minify"] : []),
    ],
    { encoding: "utf8", env: { ...process.env, NO_COLOR: "1", ...WORKER_SECRETS }, stdio: "pipe" },
  );
  // The modules wrangler would upload: not its source maps, not the README it writes beside them.
  const modules = readdirSync(outdir, { recursive: true, encoding: "utf8" }).filter(
    (file) => /\.(m?js|cjs|wasm|bin|txt|html|sql)$/.test(file) && statSync(join(outdir, file)).isFile(),
  );
  let rawBytes = 0;
  let gzipBytes = 0;
  for (const file of modules) {
    const bytes = readFileSync(join(outdir, file));
    rawBytes += bytes.byteLength;
    gzipBytes += gzipSync(bytes).byteLength;
  }
  // The entry is the one module at the top of the folder named after the entry point.
  const main = modules.find((file) => /^[^/]+\.m?js$/.test(file)) ?? "";
  return {
    rawBytes,
    gzipBytes,
    main: join(outdir, main),
    wranglerSays: /Total Upload: .*/.exec(output)?.[0].trim() ?? "",
    parts: partsOf(metafile),
  };
}

/** From starting a fresh workerd on `options` to its first 200 on `path`: ms to ready (listening) and to that answer. */
async function firstAnswer(name: string, options: V4MiniflareOptions, path: string) {
  const started = now();
  const mf = new Miniflare(convertV4MiniflareOptions(options));
  try {
    const url = await mf.ready;
    const readyMs = now() - started;
    for (;;) {
      const response = await fetch(new URL(path, url));
      await response.arrayBuffer();
      if (response.ok) return { readyMs, answerMs: now() - started };
      if (now() - started > 60_000) throw new Error(`${name}: no 200 from ${path} (${response.status})`);
    }
  } finally {
    await mf.dispose();
  }
}

/** Miniflare options for a bundle: with wrangler.toml's bindings (ours and its floor), or none. */
function startOptions(scriptPath: string, bound: boolean): V4MiniflareOptions {
  const base = {
    modules: true,
    scriptPath,
    modulesRoot: dirname(scriptPath),
    // No Request.cf download (no network here; it is not the Worker's start).
    cf: false,
    compatibilityDate: unstable_readConfig({ config: "wrangler.toml" }).compatibility_date,
  };
  if (!bound) return base;
  Object.assign(process.env, WORKER_SECRETS);
  const { workerOptions } = unstable_getMiniflareWorkerOptions("wrangler.toml");
  // The Worker alone: static assets are served before it by another part of the platform; the bundle
  // is built already, so module rules and the root do not apply.
  const { assets: _assets, modulesRules: _rules, rootPath: _root, ...bindings } = workerOptions;
  const vars = (workerOptions.bindings ?? {}) as Record<string, unknown>;
  return { ...bindings, ...base, bindings: { ...vars, ...WORKER_SECRETS } } as V4MiniflareOptions;
}

export async function coldStart(runs: number): Promise<ColdStart[]> {
  const dir = mkdtempSync(join(tmpdir(), "aas-cold-start-"));
  const forget = cleanupOnExit(() => rmSync(dir, { recursive: true, force: true }));
  try {
    const empty = bareConfig(dir, "bench-empty", "bench/worker/empty-worker.ts");
    const subjects: Subject[] = [
      { name: "ours", config: "wrangler.toml", path: "/openapi.json", bound: true },
      { name: "ours, minified", config: "wrangler.toml", minify: true, path: "/openapi.json", bound: true },
      {
        name: "bare relay",
        config: bareConfig(dir, "bench-relay", "bench/worker/relay-worker.ts"),
        path: "/",
        bound: false,
      },
      { name: "empty Worker, bound as ours", config: empty, path: "/", bound: true },
      { name: "empty Worker", config: empty, path: "/", bound: false },
    ];
    const built = subjects.map((subject, i) => {
      const made = bundle(subject, join(dir, `out-${i}`));
      return { ...made, options: startOptions(made.main, subject.bound) };
    });
    const times = subjects.map(() => ({ ready: [] as number[], answer: [] as number[] }));
    // One warm-up start each (the OS's file cache, Miniflare's own first start), then interleaved runs.
    for (let round = 0; round <= runs; round++) {
      for (const [i, subject] of subjects.entries()) {
        const options = built[i]?.options;
        if (!options) continue;
        const { readyMs, answerMs } = await firstAnswer(subject.name, options, subject.path);
        if (round > 0) {
          times[i]?.ready.push(readyMs);
          times[i]?.answer.push(answerMs);
        }
      }
    }
    return subjects.map((subject, i) => ({
      name: subject.name,
      rawBytes: built[i]?.rawBytes ?? Number.NaN,
      gzipBytes: built[i]?.gzipBytes ?? Number.NaN,
      wranglerSays: built[i]?.wranglerSays ?? "",
      parts: built[i]?.parts ?? [],
      readyMs: times[i]?.ready ?? [],
      firstAnswerMs: times[i]?.answer ?? [],
    }));
  } finally {
    rmSync(dir, { recursive: true, force: true });
    forget();
  }
}

const MB = 1_000_000;
/** MB with two decimals, or kB under 100 kB. */
const size = (bytes: number, unit = " ") =>
  bytes >= 100_000 ? `${fmt(bytes / MB, 2)}${unit}MB` : `${fmt(bytes / 1_000, 1)}${unit}kB`;

/** One line per Worker: `cold-start <name> bundle=… gzip=… first-answer=… ms (min–max, n)`. */
export const coldStartLine = (row: ColdStart) =>
  `cold-start ${row.name.replaceAll(",", "").replaceAll(" ", "-")} bundle=${size(row.rawBytes, "")} gzip=${size(row.gzipBytes, "")} first-answer=${fmt(median(row.firstAnswerMs), 0)}ms (${fmt(Math.min(...row.firstAnswerMs), 0)}–${fmt(Math.max(...row.firstAnswerMs), 0)}, n=${row.firstAnswerMs.length})`;

/** The table for docs/performance.md: the lines, then each Worker's bundle, its largest parts and its start. */
export function coldStartTable(rows: ColdStart[]): string {
  const runs = rows[0]?.firstAnswerMs.length ?? 0;
  return [
    "```",
    ...rows.map(coldStartLine),
    "```",
    "",
    `Bundles from \`wrangler deploy --dry-run\` (modules only, gzipped one by one as the upload is). Start: from \`new Miniflare()\` on the built bundle (a fresh workerd) to it listening, and to the first 200 of a request that does no I/O (ours: \`GET /openapi.json\`, through all the middleware); median of ${runs} runs after a warm-up, the Workers interleaved.`,
    "",
    "| Worker | bundle | gzipped | largest parts | workerd listening, median | first answer, median (min–max) |",
    "| --- | --- | --- | --- | --- | --- |",
    ...rows.map(
      (row) =>
        `| ${row.name} | ${size(row.rawBytes)} | ${size(row.gzipBytes)} | ${
          row.parts
            .filter((part) => part.bytes >= 10_000)
            .slice(0, 5)
            .map((part) => `${part.name} ${size(part.bytes)}`)
            .join(", ") || "—"
        } | ${fmt(median(row.readyMs), 0)} ms | ${fmt(median(row.firstAnswerMs), 0)} ms (${fmt(Math.min(...row.firstAnswerMs), 0)}–${fmt(Math.max(...row.firstAnswerMs), 0)}) |`,
    ),
  ].join("\n");
}
