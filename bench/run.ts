// `npm run bench`: starts the Worker (bench entry) and a fast scripted upstream on loopback, runs every
// case against ours and the in-process baseline, prints the table and writes it to docs/performance.md.
// Exits non-zero only when a run fails, never on a slow figure.
import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { cpus, totalmem } from "node:os";
import { startLocalWorker } from "../test/upstream/local-worker.ts";
import { ScriptedUpstream } from "../test/upstream/server.ts";
import { bigOutputMemory, cost, firstDelta, scale, throughput, tokenLatency, type Ctx } from "./cases.ts";
import { BenchClient, JWT_SECRET } from "./client.ts";
import { findWorkerd, rssMiB } from "./rss.ts";
import { fmt } from "./stats.ts";

const quick = process.argv.includes("--quick");
const lines: string[] = [];
const say = (line = "") => {
  console.log(line);
  lines.push(line);
};

function versions(): string {
  const wrangler = execFileSync("npx", ["wrangler", "--version"], { encoding: "utf8" }).trim().split("\n").pop();
  const pkg = (name: string) => (JSON.parse(readFileSync(`node_modules/${name}/package.json`, "utf8")) as { version: string }).version;
  return `Node ${process.version}, wrangler ${wrangler}, workerd ${pkg("workerd")}, openai ${pkg("openai")}, hono ${pkg("hono")}`;
}

async function main() {
  const upstream = new ScriptedUpstream();
  const upstreamUrl = await upstream.start();
  const worker = await startLocalWorker({
    entry: "bench/worker/bench-worker.ts",
    vars: { OPENAI_BASE_URL: `${upstreamUrl}/v1`, OPENAI_API_KEY: "bench", JWT_SECRET, MAX_CONCURRENT_EXECUTIONS: "5" },
  });
  try {
    const workerdPid = findWorkerd(worker.pid);
    if (!workerdPid) throw new Error("workerd process not found");
    const ctx: Ctx = { client: new BenchClient(worker.baseUrl, upstreamUrl), workerdPid, quick };
    const rssStart = rssMiB(workerdPid);
    say(`Machine: ${cpus().length} × ${cpus()[0]?.model ?? "cpu"}, ${fmt(totalmem() / 2 ** 30, 0)} GiB. ${versions()}.${quick ? " Quick run." : ""}`);
    say(`Ours = the original endpoint (POST /api/assistant-architect/stream: auth, rate limit, D1, Durable Object, event log).`);
    say(`Baseline = the same upstream relayed by the openai SDK straight to SSE in the same workerd (no Durable Object, D1 or log).`);
    say();
    say("| case | ours | baseline | ours vs baseline | target |");
    say("| --- | --- | --- | --- | --- |");
    const ttfd = await firstDelta(ctx);
    say(`| 1. time to first delta (median) | ${fmt(ttfd.oursMs)} ms | ${fmt(ttfd.baseMs)} ms | +${fmt(ttfd.addedMs)} ms | ≤ +15 ms |`);
    const rate = await throughput(ctx);
    say(`| 2. throughput, ${rate.chunks} chunks (median of 3) | ${fmt(rate.oursRate, 0)} chunks/s | ${fmt(rate.baseRate, 0)} chunks/s | ratio ${fmt(rate.ratio, 2)} | ≥ 0.80 |`);
    const latency = await tokenLatency(ctx);
    say(`| 3. per-token latency p50 / p99 | ${fmt(latency.oursP50)} / ${fmt(latency.oursP99)} ms | ${fmt(latency.baseP50)} / ${fmt(latency.baseP99)} ms | p99 +${fmt(latency.addedP99)} ms | ≤ +20 ms |`);
    const load = await scale(ctx);
    // A second identical round: a leak grows again, a high-water mark does not.
    const again = await scale(ctx);
    say(`| 4. ${load.executions} executions × 3 prompts, ${load.users} users at once | ${load.completed} completed, ${load.errors} errors; first delta p50 ${fmt(load.p50)} ms, p95 ${fmt(load.p95)} ms; all done in ${fmt(load.wallMs / 1000, 1)} s | first delta p50 ${fmt(load.baseP50)} ms, p95 ${fmt(load.baseP95)} ms (same concurrency, 1 prompt) | | all complete, 0 errors |`);
    const growth = (after: number, before: number) => `${fmt(((after - before) / before) * 100, 0)} %`;
    say(`| 4b. the same again | ${again.completed} completed, ${again.errors} errors; first delta p50 ${fmt(again.p50)} ms | | | |`);
    say(`| 6a. workerd RSS around the scale case | round 1: ${fmt(load.rssBefore)} → ${fmt(load.rssAfter)} MiB 5 s after; round 2: ${fmt(again.rssBefore)} → ${fmt(again.rssAfter)} MiB (start of run ${fmt(rssStart)} MiB) | | round 1 ${growth(load.rssAfter, load.rssBefore)}, round 2 ${growth(again.rssAfter, again.rssBefore)} | within 10 % |`);
    const memory = await bigOutputMemory(ctx);
    say(`| 6b. workerd RSS, one execution streaming ${memory.megabytes} MB | before ${fmt(memory.before)} MiB, peak ${fmt(memory.peak)} MiB, 5 s after ${fmt(memory.after)} MiB | | peak +${fmt(memory.peak - memory.before)} MiB | bounded |`);
    say();
    say("Cost per execution (counted, not timed; D1 statements include the reads of creating it):");
    say();
    say("| output per prompt | prompts | D1 writes | all D1 statements | Durable Object storage writes (rows + state puts) | write bound 3 + 2 × prompts |");
    say("| --- | --- | --- | --- | --- | --- |");
    for (const [bytes, prompts] of [[1_024, 1], [102_400, 1], [5 * 1_048_576, 1], [1_024, 3], [102_400, 3]] as const) {
      const row = await cost(ctx, bytes, prompts);
      say(`| ${bytes >= 1_048_576 ? `${bytes / 1_048_576} MB` : `${bytes / 1_024} KB`} | ${prompts} | ${row.d1Writes} | ${row.d1Statements} | ${row.storageWrites} | ${row.bound} |`);
    }
  } finally {
    await worker.stop();
    await upstream.stop();
  }
  const path = "docs/performance.md";
  const table = lines.join("\n");
  const doc = readFileSync(path, "utf8");
  const start = "<!-- bench:start -->";
  const end = "<!-- bench:end -->";
  const from = doc.indexOf(start);
  const to = doc.indexOf(end);
  if (from < 0 || to < from) throw new Error(`${path} lacks the ${start} … ${end} markers`);
  writeFileSync(path, `${doc.slice(0, from + start.length)}\n_Last run: ${new Date().toISOString()}_\n\n${table}\n${doc.slice(to)}`);
  console.log(`\nWrote ${path}`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
