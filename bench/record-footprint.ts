// `npm run measure:records`: what one ended execution's record costs. Starts the bench Worker
// (`wrangler dev`, its own local state, removed on exit), makes a 3-prompt tool on the offline `demo`
// model (it echoes its prompt) with about 1 KB of text a prompt, 500 bytes of inputs and outputs that
// add up to about 8 KB, runs N executions through the API to the end, waits for their D1 records to be
// complete (record_key set) and reads back D1 bytes (the SQLite file's used pages, and dbstat by table
// and index), D1 statements and round trips, R2 objects, bytes and operations, per execution.
// `--count N` (200), `--lanes L` (200 users at once, each running its share one after another).
import { randomUUID } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import { startBenchWorker } from "./bench-worker-process.ts";
import { check } from "./cases.ts";
import { BenchClient, benchVars, newUser } from "./client.ts";
import { columnBytes, findD1File, growth, snapshotD1 } from "./d1-file.ts";
import { reapOnExit } from "./reaper.ts";
import { fetchJson, type RecordsState, recordsState } from "./records-client.ts";
import { timeStream } from "./sse-client.ts";
import { fmt } from "./stats.ts";

reapOnExit();
const flag = (name: string, fallback: number) => {
  const at = process.argv.indexOf(`--${name}`);
  const value = at < 0 ? fallback : Number(process.argv[at + 1]);
  if (!Number.isInteger(value) || value < 1) throw new Error(`--${name} wants a whole number, at least 1`);
  return value;
};
const COUNT = flag("count", 200);
const LANES = Math.min(flag("lanes", 200), COUNT);
/** The issue's goal: D1 bytes per 3-prompt execution. */
const GOAL_D1_BYTES = 3_072;
/** SPEC §15: an ended run's D1 record is complete within 5 s of its terminal event. */
const RECORDS_WITHIN_MS = 60_000;

const WORDS =
  "the a lesson students will read write explain compare fractions numbers model draw share talk about ideas each group class teacher notes plan review check understanding practice example question answer before after during warm up exit ticket vocabulary reading science history map evidence claim reason".split(
    " ",
  );
/** About `bytes` of plain words (ASCII: a byte a character), the same every run for a given seed. */
function text(bytes: number, seed: number): string {
  let state = seed;
  let out = "";
  while (out.length < bytes) {
    state = (state * 1_103_515_245 + 12_345) >>> 0;
    out += `${WORDS[state % WORDS.length]} `;
  }
  return out.slice(0, bytes).trimEnd();
}

const TOOL = {
  name: "Footprint",
  inputFields: [
    { name: "topic", label: "Topic", type: "text", required: true },
    { name: "notes", label: "Notes", type: "textarea", required: false },
  ],
  prompts: [
    { name: "outline", position: 0, model: "demo", content: `${text(1000, 1)}\nTopic: {{topic}}\nNotes: {{notes}}` },
    { name: "draft", position: 1, model: "demo", content: `${text(1000, 2)}\nOutline:\n{{outline}}` },
    { name: "lesson", position: 2, model: "demo", content: `${text(1000, 3)}\nDraft:\n{{draft}}\nNotes: {{notes}}` },
  ],
};
const inputs = (run: number) => ({ topic: `Equivalent fractions, run ${run}`, notes: text(440, 100 + run) });

async function main() {
  const worker = await startBenchWorker({
    entry: "bench/worker/bench-worker.ts",
    // The demo model never calls the upstream: the address is only there because the vars want one.
    vars: benchVars("http://127.0.0.1:9"),
  });
  try {
    const client = new BenchClient(worker.baseUrl, "http://127.0.0.1:9");
    const users = Array.from({ length: LANES }, newUser);
    const tools = await Promise.all(users.map((user) => client.json<{ id: string }>("/api/tools", user, TOOL)));
    const dbFile = findD1File(worker.persistTo);
    const before = snapshotD1(dbFile);
    const tag = randomUUID();
    const headers = (user: string) => ({
      ...client.headers(user),
      "X-Bench-Context": JSON.stringify({ rttMs: 0, doMs: 0, tag }),
    });
    const started = Date.now();
    let outputChars = 0;
    await Promise.all(
      users.map(async (user, lane) => {
        for (let run = lane; run < COUNT; run += LANES) {
          const response = await fetch(`${worker.baseUrl}/api/executions`, {
            method: "POST",
            headers: headers(user),
            body: JSON.stringify({ toolId: tools[lane]?.id, inputs: inputs(run) }),
          });
          if (response.status !== 201) throw new Error(`create: ${response.status} ${await response.text()}`);
          const { eventsUrl } = (await response.json()) as { eventsUrl: string };
          const timing = check(await timeStream(`${worker.baseUrl}${eventsUrl}`, { headers: headers(user) }), "run");
          outputChars += timing.outputChars;
        }
      }),
    );
    const ranMs = Date.now() - started;
    const records = await waitForRecords(worker.baseUrl);
    // Whatever else an ended run writes lands within SPEC §15's 5 s; read after that.
    await sleep(6_000);
    const after = snapshotD1(dbFile);
    const counters = await fetchJson<CountersJson>(`${worker.baseUrl}/bench/counters?tag=${tag}`);
    report({ before: before.usedBytes, after: after.usedBytes, pageSize: after.pageSize, ranMs, outputChars });
    reportBreakdown(growth(before, after), dbFile);
    const per = (n: number) => n / COUNT;
    const r2Ops = counters.r2;
    const line = {
      measure: "records",
      executions: COUNT,
      prompts: 3,
      d1BytesPerExecution: Math.round(per(after.usedBytes - before.usedBytes)),
      d1RoundTripsPerExecution: per(counters.d1RoundTrips),
      d1StatementsPerExecution: per(counters.d1Statements),
      d1WritesPerExecution: per(counters.d1Writes),
      r2BytesPerExecution: Math.round(per(records.r2Bytes)),
      r2ObjectsPerExecution: per(records.r2Objects),
      r2ClassAPerExecution: per(r2Ops.puts + r2Ops.lists + r2Ops.multipart),
      r2ClassBPerExecution: per(r2Ops.gets + r2Ops.heads),
      r2DeletesPerExecution: per(r2Ops.deletes),
      doCallsPerExecution: per(counters.doCalls),
      outputBytesPerExecution: Math.round(per(outputChars)),
      goalD1Bytes: GOAL_D1_BYTES,
      met: per(after.usedBytes - before.usedBytes) < GOAL_D1_BYTES,
    };
    console.log(
      [
        "",
        "| per execution | measured |",
        "| --- | --- |",
        `| D1 bytes (used pages, after − before) | ${line.d1BytesPerExecution} (goal < ${GOAL_D1_BYTES}: ${line.met ? "met" : "NOT met"}) |`,
        `| D1 round trips / statements / writes | ${fmt(line.d1RoundTripsPerExecution, 2)} / ${fmt(line.d1StatementsPerExecution, 2)} / ${fmt(line.d1WritesPerExecution, 2)} |`,
        `| R2 objects / bytes | ${fmt(line.r2ObjectsPerExecution, 2)} / ${line.r2BytesPerExecution} |`,
        `| R2 puts / gets / heads / lists / deletes | ${[r2Ops.puts, r2Ops.gets, r2Ops.heads, r2Ops.lists, r2Ops.deletes].map((n) => fmt(per(n), 2)).join(" / ")} |`,
        `| R2 Class A / Class B operations | ${fmt(line.r2ClassAPerExecution, 2)} / ${fmt(line.r2ClassBPerExecution, 2)} |`,
        `| Durable Object calls | ${fmt(line.doCallsPerExecution, 2)} |`,
        `| output bytes streamed (3 prompts) | ${line.outputBytesPerExecution} |`,
        "",
      ].join("\n"),
    );
    reportTrips(counters.trips);
    console.log(JSON.stringify(line));
  } finally {
    await worker.stop();
  }
}

interface CountersJson {
  trips: { by: string; statements: string[] }[];
  d1RoundTrips: number;
  d1Statements: number;
  d1Writes: number;
  doCalls: number;
  r2: { puts: number; gets: number; heads: number; lists: number; deletes: number; multipart: number };
}

/** Polls until every execution's D1 record is complete (its contents in R2, record_key set). */
async function waitForRecords(baseUrl: string): Promise<RecordsState> {
  const deadline = Date.now() + RECORDS_WITHIN_MS;
  for (;;) {
    const state = await recordsState(baseUrl);
    if (state.executions === COUNT && state.withKey === COUNT) return state;
    if (Date.now() > deadline) throw new Error(`records incomplete: ${JSON.stringify(state)}`);
    await sleep(250);
  }
}

function report(run: { before: number; after: number; pageSize: number; ranMs: number; outputChars: number }) {
  console.log(
    `${COUNT} executions × 3 prompts (demo model, ${LANES} users at once) ran in ${fmt(run.ranMs / 1000, 1)} s, ${fmt(run.outputChars / COUNT / 1024, 1)} KB of output each.`,
  );
  console.log(
    `D1 used pages: ${run.before} → ${run.after} bytes (page size ${run.pageSize}; (page_count − freelist_count) × page_size of the local D1 file).`,
  );
}

/** Each kind of D1 round trip (who sent it, its statements' starts), per execution. */
function reportTrips(trips: CountersJson["trips"]) {
  const kinds = new Map<string, number>();
  for (const trip of trips) {
    const key = `${trip.by}: ${trip.statements.map((sql) => sql.slice(0, 40)).join(" + ")}`;
    kinds.set(key, (kinds.get(key) ?? 0) + 1);
  }
  console.log("D1 round trips per execution, by kind:");
  for (const [kind, n] of kinds) console.log(`  ${fmt(n / COUNT, 2)} × ${kind}`);
  console.log();
}

/** Which tables and indexes the records grew (dbstat), and what the execution and result rows hold by column. */
function reportBreakdown(rows: ReturnType<typeof growth>, dbFile: string) {
  console.log("\n| table or index (dbstat) | bytes per execution (pages) | payload per execution |");
  console.log("| --- | --- | --- |");
  for (const row of rows)
    console.log(`| ${row.name} | ${fmt(row.bytes / COUNT, 0)} | ${fmt(row.payload / COUNT, 0)} |`);
  for (const table of ["tool_executions", "prompt_results", "spending_entries"]) {
    const columns = columnBytes(dbFile, table).filter((column) => column.bytes > 0);
    console.log(
      `\n${table}, stored bytes per execution by column: ${columns.map((c) => `${c.column} ${fmt(c.bytes / COUNT, 0)}`).join(", ")}`,
    );
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
