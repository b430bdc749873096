// `npm run bench`: starts the Worker (bench entry) and a fast scripted upstream on loopback, runs every
// case against ours and the in-process baseline, the D1 latency case and the cold start, prints the
// tables and writes them to docs/performance.md. `--d1-latency` or `--cold-start` runs that part alone;
// `--peers` the peers. Exits non-zero only when a run fails, never on a slow figure. Whatever way it
// ends, nothing it started is left running (bench/reaper.ts).
import { execFileSync } from "node:child_process";
import { cpus, totalmem } from "node:os";
import { ScriptedUpstream } from "../test/upstream/server.ts";
import { startBenchWorker } from "./bench-worker-process.ts";
import { budgetThroughput, tokenizerCost } from "./budget-cases.ts";
import { bigOutputMemory, type Ctx, cost, firstDelta, scale, throughput, tokenLatency } from "./cases.ts";
import { BenchClient, benchVars } from "./client.ts";
import { coldStart, coldStartLine, coldStartTable } from "./cold-start.ts";
import { d1Latency, latencyLine, latencyTable } from "./d1-latency.ts";
import { writeBetweenMarkers } from "./doc-table.ts";
import { burstMemory, type MemorySeries } from "./memory.ts";
import { runPeers } from "./peers/run.ts";
import { reapOnExit } from "./reaper.ts";
import { findWorkerd } from "./rss.ts";
import { fmt } from "./stats.ts";
import { packageVersion as pkg } from "./versions.ts";

reapOnExit();
const quick = process.argv.includes("--quick");
/** Bursts in the memory case (`--memory-rounds N`); more rounds show where RSS levels off. */
const roundsFlag = process.argv.indexOf("--memory-rounds");
const memoryRounds = roundsFlag < 0 ? (quick ? 1 : 3) : Number(process.argv[roundsFlag + 1]);
if (!Number.isInteger(memoryRounds) || memoryRounds < 1)
  throw new Error("--memory-rounds wants a whole number of bursts, at least 1");
const lines: string[] = [];
const say = (line = "") => {
  console.log(line);
  lines.push(line);
};

function versions(): string {
  const wrangler = execFileSync("npx", ["wrangler", "--version"], { encoding: "utf8" }).trim().split("\n").pop();
  return `Node ${process.version}, wrangler ${wrangler}, workerd ${pkg("workerd")}, openai ${pkg("openai")}, hono ${pkg("hono")}`;
}

const series = (memory: MemorySeries, key: "heapMiB" | "rssMiB") =>
  `${fmt(memory.start[key])} → ${memory.rounds.map((round) => fmt(round[key])).join(" / ")} MiB`;
const growth = (memory: MemorySeries, key: "heapMiB" | "rssMiB") => {
  const last = memory.rounds.at(-1)?.[key] ?? Number.NaN;
  return `${last >= memory.start[key] ? "+" : ""}${fmt(((last - memory.start[key]) / memory.start[key]) * 100, 0)} %`;
};

function memoryTable(ours: MemorySeries, base: MemorySeries): string {
  return [
    `Memory after the scale case (each side in a fresh workerd; read ${ours.rounds.length === 1 ? "after the burst" : `after each of ${ours.rounds.length} bursts`}, once idle objects were evicted):`,
    "",
    "| measure | ours | baseline (same clients and model calls) | ours, last vs start | target |",
    "| --- | --- | --- | --- | --- |",
    `| 6a. Worker isolate heap after a forced GC (the Worker and its Durable Objects) | ${series(ours, "heapMiB")} | ${series(base, "heapMiB")} | ${growth(ours, "heapMiB")} (baseline ${growth(base, "heapMiB")}) | within 10 % of start |`,
    `| 6b. workerd RSS | ${series(ours, "rssMiB")} | ${series(base, "rssMiB")} | ${growth(ours, "rssMiB")} (baseline ${growth(base, "rssMiB")}) | issue: within 10 % of start (see below) |`,
  ].join("\n");
}

async function main() {
  const upstream = new ScriptedUpstream();
  const upstreamUrl = await upstream.start();
  const worker = await startBenchWorker({
    entry: "bench/worker/bench-worker.ts",
    vars: benchVars(upstreamUrl),
  });
  try {
    const workerdPid = findWorkerd(worker.pid);
    if (!workerdPid) throw new Error("workerd process not found");
    const ctx: Ctx = { client: new BenchClient(worker.baseUrl, upstreamUrl), workerdPid, quick };
    say(
      `Machine: ${cpus().length} × ${cpus()[0]?.model ?? "cpu"}, ${fmt(totalmem() / 2 ** 30, 0)} GiB. ${versions()}.${quick ? " Quick run." : ""}`,
    );
    say(
      `Ours = the original endpoint (POST /api/assistant-architect/stream: auth, rate limit, D1, Durable Object, event log).`,
    );
    say(
      `Baseline = the same upstream relayed by the openai SDK straight to SSE in the same workerd (no Durable Object, D1 or log).`,
    );
    say();
    say("| case | ours | baseline | ours vs baseline | target |");
    say("| --- | --- | --- | --- | --- |");
    const ttfd = await firstDelta(ctx);
    say(
      `| 1. time to first delta (median) | ${fmt(ttfd.oursMs)} ms | ${fmt(ttfd.baseMs)} ms | +${fmt(ttfd.addedMs)} ms | ≤ +15 ms |`,
    );
    const rate = await throughput(ctx);
    say(
      `| 2. throughput, ${rate.chunks} chunks (median of 3) | ${fmt(rate.oursRate, 0)} chunks/s | ${fmt(rate.baseRate, 0)} chunks/s | ratio ${fmt(rate.ratio, 2)} | ≥ 0.80 |`,
    );
    const budget = await budgetThroughput(ctx);
    say(
      `| 2b. throughput with a budget, ${budget.chunks} chunks (ours priced, tokenizer and meter on every delta, vs ours unpriced) | ${fmt(budget.pricedRate, 0)} chunks/s | ${fmt(budget.unpricedRate, 0)} chunks/s (ours, unpriced) | ratio ${fmt(budget.ratio, 2)} | |`,
    );
    const tokenizer = await tokenizerCost(ctx);
    say(
      `| 2c. the tokenizer in workerd (gpt-tokenizer o200k, one delta at a time, ${tokenizer.tokens} tokens of words that never repeat) | ${fmt(tokenizer.usPer1000, 0)} µs per 1,000 tokens | | | |`,
    );
    const latency = await tokenLatency(ctx);
    say(
      `| 3. per-token latency p50 / p99 | ${fmt(latency.oursP50)} / ${fmt(latency.oursP99)} ms | ${fmt(latency.baseP50)} / ${fmt(latency.baseP99)} ms | p99 +${fmt(latency.addedP99)} ms | ≤ +20 ms |`,
    );
    const load = await scale(ctx);
    say(
      `| 4. ${load.executions} executions × 3 prompts, ${load.users} users at once | ${load.completed} completed, ${load.errors} errors; first delta p50 ${fmt(load.p50)} ms, p95 ${fmt(load.p95)} ms; all done in ${fmt(load.wallMs / 1000, 1)} s | first delta p50 ${fmt(load.baseP50)} ms, p95 ${fmt(load.baseP95)} ms (same concurrency, 1 prompt) | | all complete, 0 errors |`,
    );
    const memory = await bigOutputMemory(ctx);
    say(
      `| 6c. workerd RSS, one execution streaming ${memory.megabytes} MB | before ${fmt(memory.before)} MiB, peak ${fmt(memory.peak)} MiB, 5 s after ${fmt(memory.after)} MiB | | peak +${fmt(memory.peak - memory.before)} MiB | bounded |`,
    );
    say();
    say("Cost per execution (counted, not timed; D1 statements include the reads of creating it):");
    say();
    say(
      "| output per prompt | prompts | D1 writes | all D1 statements | Durable Object storage writes (rows + state puts) | write bound 3 + 2 × prompts |",
    );
    say("| --- | --- | --- | --- | --- | --- |");
    for (const [bytes, prompts] of [
      [1_024, 1],
      [102_400, 1],
      [5 * 1_048_576, 1],
      [1_024, 3],
      [102_400, 3],
    ] as const) {
      const row = await cost(ctx, bytes, prompts);
      say(
        `| ${bytes >= 1_048_576 ? `${bytes / 1_048_576} MB` : `${bytes / 1_024} KB`} | ${prompts} | ${row.d1Writes} | ${row.d1Statements} | ${row.storageWrites} | ${row.bound} |`,
      );
    }
    await latencySection(ctx.client);
  } finally {
    await worker.stop();
  }
  try {
    const oursMemory = await burstMemory("ours", upstreamUrl, memoryRounds, quick);
    const baseMemory = await burstMemory("baseline", upstreamUrl, memoryRounds, quick);
    say();
    say(memoryTable(oursMemory, baseMemory));
  } finally {
    await upstream.stop();
  }
  await coldStartSection();
  const path = "docs/performance.md";
  writeBetweenMarkers(path, "bench", lines.join("\n"));
  console.log(`\nWrote ${path}`);
}

const DOC = "docs/performance.md";

/** The D1 latency case on a running bench Worker: its lines, and (full runs) its table in the doc. */
async function latencySection(client: BenchClient) {
  console.log("\nd1-latency…");
  const { rows, rounds } = await d1Latency(client, quick);
  for (const row of rows) console.log(latencyLine(row));
  const table = latencyTable(rows, rounds);
  if (quick) console.log(`\n${table}`);
  else writeBetweenMarkers(DOC, "d1-latency", `${table}\n\nMachine: ${machine()}.`);
}

/** Cold start, with nothing else running: its lines, and (full runs) its table in the doc. */
async function coldStartSection() {
  console.log("\ncold start…");
  const rows = await coldStart(quick ? 2 : 7);
  for (const row of rows) console.log(coldStartLine(row));
  const table = coldStartTable(rows);
  if (quick) console.log(`\n${table}`);
  else writeBetweenMarkers(DOC, "cold-start", `${table}\n\nMachine: ${machine()}.`);
}

const machine = () =>
  `${cpus().length} × ${cpus()[0]?.model ?? "cpu"}, ${fmt(totalmem() / 2 ** 30, 0)} GiB; ${versions()}`;

/** `--d1-latency` alone: a bench Worker of its own and the scripted upstream. */
async function latencyOnly() {
  const upstream = new ScriptedUpstream();
  const upstreamUrl = await upstream.start();
  try {
    const worker = await startBenchWorker({ entry: "bench/worker/bench-worker.ts", vars: benchVars(upstreamUrl) });
    try {
      await latencySection(new BenchClient(worker.baseUrl, upstreamUrl));
    } finally {
      await worker.stop();
    }
  } finally {
    await upstream.stop();
  }
}

const chosen = process.argv.includes("--peers")
  ? () => runPeers(quick)
  : process.argv.includes("--d1-latency")
    ? latencyOnly
    : process.argv.includes("--cold-start")
      ? coldStartSection
      : main;

chosen().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
