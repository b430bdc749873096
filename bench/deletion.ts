// `npm run bench:deletion`: DELETE /api/me/data at volume (SPEC §13: 10,000 executions within a
// minute). Starts the bench Worker (`wrangler dev`, its own local state, removed on exit), seeds one
// user's ended executions straight into D1 and R2 with the writers a run uses (bench route, no API),
// sends DELETE /api/me/data, and times it until their account reports no deletion work left
// (UserAccount.deletionPending) and D1 and R2 hold nothing of them. Cases: 1,000 and 10,000 that ended
// more than a day ago (their objects hold nothing: only D1 and R2 are erased), and 1,000 and 10,000
// that ended within the day (each run's object is asked to erase too). `--quick`: 1,000 of each, writes nothing;
// the full run writes its table to docs/performance.md. Counts (D1, R2, object calls) come from the
// bench Worker's wrapped bindings: the DELETE is tagged, and the account's alarm counts into its tag.
import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { loadavg } from "node:os";
import { setTimeout as sleep } from "node:timers/promises";
import { startBenchWorker } from "./bench-worker-process.ts";
import { BenchClient, benchVars, newUser } from "./client.ts";
import { writeBetweenMarkers } from "./doc-table.ts";
import { descendants, reapOnExit } from "./reaper.ts";
import { deletionPending, fetchJson, recordsState, seedRecords } from "./records-client.ts";
import { fmt } from "./stats.ts";

reapOnExit();
const quick = process.argv.includes("--quick");
const DAY_MS = 86_400_000;
/** SPEC §13. */
const GOAL_MS = 60_000;
/** Past this the case has failed: the deletion is reported as not done. */
const GIVE_UP_MS = 30 * 60_000;
/** Executions a seed request writes (the route writes 50 at a time). */
const SEED_REQUEST = 500;

interface Case {
  count: number;
  /** Ended within the day: erasure asks each run's object too. */
  recent: boolean;
}

interface Result extends Case {
  seedMs: number;
  acceptedMs: number;
  /** From sending the DELETE until the account had no work left and D1 and R2 held nothing. */
  doneMs: number;
  /** CPU time workerd spent meanwhile (the Worker and every object run in it here). */
  cpuMs: number;
  /** The machine's 1-minute load average before and after (other work on it slows every figure). */
  load: [number, number];
  d1RoundTrips: number;
  d1Statements: number;
  r2Deletes: number;
  r2DeletedKeys: number;
  doCalls: number;
}

async function seed(baseUrl: string, owner: string, c: Case): Promise<void> {
  const now = Date.now();
  // Aged: created 30 days ago; recent: ended in the last minutes (before the DELETE, as it must be).
  const firstCreatedAt = c.recent ? now - c.count - 120_000 : now - 30 * DAY_MS;
  const requests = [];
  for (let at = 0; at < c.count; at += SEED_REQUEST) {
    requests.push({
      ownerId: owner,
      count: Math.min(SEED_REQUEST, c.count - at),
      firstCreatedAt: firstCreatedAt + at,
      ranMs: c.recent ? 1_000 : 60_000,
      outputChars: 2_600,
    });
  }
  for (let i = 0; i < requests.length; i += 2)
    await Promise.all(requests.slice(i, i + 2).map((request) => seedRecords(baseUrl, request)));
  const state = await recordsState(baseUrl, owner);
  if (state.executions !== c.count || state.r2Objects !== c.count || state.promptResults !== 3 * c.count)
    throw new Error(`seeding ${c.count}: ${JSON.stringify(state)}`);
}

/** User plus system CPU time so far of every workerd process under `root` (wrangler runs two: its proxy and the Worker's), ms. */
function workerdCpuMs(root: number): number {
  let ticks = 0;
  for (const { pid } of descendants(root)) {
    try {
      if (readFileSync(`/proc/${pid}/comm`, "utf8").trim() !== "workerd") continue;
      const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
      const [utime = "0", stime = "0"] = stat
        .slice(stat.lastIndexOf(")") + 2)
        .split(" ")
        .slice(11, 13);
      ticks += Number(utime) + Number(stime);
    } catch {
      // It ended while we looked.
    }
  }
  return ticks * 10; // Linux clock ticks are 10 ms.
}

async function run(client: BenchClient, wrangler: number, c: Case): Promise<Result> {
  const { baseUrl } = client;
  const owner = newUser();
  const seedStarted = Date.now();
  await seed(baseUrl, owner, c);
  const seedMs = Date.now() - seedStarted;
  await client.json("/api/tools", owner, {
    name: "Owned",
    inputFields: [{ name: "topic", label: "Topic", type: "text", required: true }],
    prompts: [{ name: "p", position: 0, model: "demo", content: "{{topic}}" }],
  });
  const tag = randomUUID();
  const cpuBefore = workerdCpuMs(wrangler);
  const loadBefore = loadavg()[0] ?? 0;
  const started = Date.now();
  const response = await fetch(`${baseUrl}/api/me/data`, {
    method: "DELETE",
    headers: { ...client.headers(owner), "X-Bench-Context": JSON.stringify({ rttMs: 0, doMs: 0, tag }) },
  });
  const acceptedMs = Date.now() - started;
  if (response.status !== 202) throw new Error(`DELETE /api/me/data: ${response.status} ${await response.text()}`);
  for (;;) {
    if (Date.now() - started > GIVE_UP_MS) throw new Error(`deleting ${c.count}: not done in ${GIVE_UP_MS / 1000} s`);
    if (await deletionPending(baseUrl, owner)) {
      await sleep(100);
      continue;
    }
    const left = await recordsState(baseUrl, owner);
    if (left.executions === 0 && left.promptResults === 0 && left.r2Objects === 0) break;
    await sleep(100);
  }
  const doneMs = Date.now() - started;
  const cpuMs = workerdCpuMs(wrangler) - cpuBefore;
  const counters = await fetchJson<{
    d1RoundTrips: number;
    d1Statements: number;
    doCalls: number;
    r2: { deletes: number; deletedKeys: number };
  }>(`${baseUrl}/bench/counters?tag=${tag}&objects=USER_ACCOUNT`);
  return {
    ...c,
    seedMs,
    acceptedMs,
    doneMs,
    cpuMs,
    load: [loadBefore, loadavg()[0] ?? 0],
    d1RoundTrips: counters.d1RoundTrips,
    d1Statements: counters.d1Statements,
    r2Deletes: counters.r2.deletes,
    r2DeletedKeys: counters.r2.deletedKeys,
    doCalls: counters.doCalls,
  };
}

const perSecond = (r: Result) => r.count / (r.doneMs / 1000);
const ended = (r: Result) => (r.recent ? "recent" : "aged");

/** The bench line, one per case. */
const line = (r: Result) =>
  `deletion executions=${r.count} ended=${ended(r)} accepted-ms=${fmt(r.acceptedMs, 0)} done-s=${fmt(r.doneMs / 1000, 2)} per-second=${fmt(perSecond(r), 0)} d1-statements=${r.d1Statements} r2-deletes=${r.r2Deletes}`;

function table(results: Result[]): string {
  /** The ratio of 10,000 to 1,000 of one kind, and whether 10,000 met the minute. */
  const verdict = (recent: boolean) => {
    const base = results.find((r) => r.count === 1_000 && r.recent === recent);
    const big = results.find((r) => r.count === 10_000 && r.recent === recent);
    if (!base || !big) return [];
    return [
      `10,000 vs 1,000 (${recent ? "ended within the day" : "aged"}): ${fmt(big.doneMs / base.doneMs, 1)} × the time for 10 × the executions; 10,000 within ${GOAL_MS / 1000} s (SPEC §13): ${big.doneMs <= GOAL_MS ? "met" : "**not met**"}.`,
    ];
  };
  const rows = results.map(
    (r) =>
      `| ${r.count.toLocaleString("en")} | ${r.recent ? "within the day (each run's object asked too)" : "30 days ago (D1 and R2 only)"} | ${fmt(r.acceptedMs, 0)} ms | ${fmt(r.doneMs / 1000, 2)} s | ${fmt(perSecond(r), 0)} | ${r.d1RoundTrips} / ${r.d1Statements} | ${r.r2Deletes} (${r.r2DeletedKeys} keys) | ${r.doCalls} | ${fmt(r.cpuMs / 1000, 1)} s | ${fmt(r.load[0], 1)} → ${fmt(r.load[1], 1)} | ${fmt(r.seedMs / 1000, 1)} s |`,
  );
  return [
    "```",
    ...results.map(line),
    "```",
    "",
    "| executions | ended | 202 after | done after | executions/s | D1 round trips / statements | R2 delete calls | object calls | workerd CPU meanwhile | load average | seeding took |",
    "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ...rows,
    "",
    ...verdict(false),
    ...verdict(true),
  ].join("\n");
}

async function main() {
  const worker = await startBenchWorker({
    entry: "bench/worker/bench-worker.ts",
    vars: benchVars("http://127.0.0.1:9"),
  });
  const results: Result[] = [];
  try {
    const client = new BenchClient(worker.baseUrl, "http://127.0.0.1:9");
    const cases: Case[] = quick
      ? [
          { count: 1_000, recent: false },
          { count: 1_000, recent: true },
        ]
      : [
          { count: 1_000, recent: false },
          { count: 10_000, recent: false },
          { count: 1_000, recent: true },
          { count: 10_000, recent: true },
        ];
    for (const c of cases) {
      const result = await run(client, worker.pid, c);
      console.log(line(result));
      results.push(result);
    }
  } finally {
    await worker.stop();
  }
  const doc = table(results);
  console.log(`\n${doc}`);
  if (!quick) {
    writeBetweenMarkers("docs/performance.md", "deletion", doc);
    console.log("\nWrote docs/performance.md");
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
