// The benchmark cases: each runs ours and the baseline interleaved, or counts what one execution costs.
import { randomUUID } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import type { BenchClient } from "./client.ts";
import { newUser } from "./client.ts";
import { rssMiB, sampleRss } from "./rss.ts";
import { type StreamTiming, timeStream } from "./sse-client.ts";
import { median, percentile } from "./stats.ts";

export interface Ctx {
  client: BenchClient;
  workerdPid: number;
  quick: boolean;
}

/** Ours: the original endpoint, one POST that streams the run of `toolId`. */
export async function ours(ctx: Ctx, user: string, toolId: string): Promise<StreamTiming> {
  return timeStream(`${ctx.client.baseUrl}/api/assistant-architect/stream`, {
    method: "POST",
    headers: ctx.client.headers(user),
    body: JSON.stringify({ toolId, inputs: { topic: "bench" } }),
  });
}

/** The baseline: the same upstream relayed by the openai SDK straight to SSE. */
export async function baseline(ctx: Ctx, model: string): Promise<StreamTiming> {
  return timeStream(`${ctx.client.baseUrl}/bench/baseline`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ model, prompt: "bench" }),
  });
}

/** A run that answered 200 and ended complete, in either event format. */
export function completed(timing: StreamTiming | null): boolean {
  return (
    timing !== null &&
    timing.status === 200 &&
    (timing.terminal === "complete" || timing.terminal === "execution.completed")
  );
}

export function check(timing: StreamTiming, what: string): StreamTiming {
  if (!completed(timing)) {
    throw new Error(`${what} failed: status ${timing.status}, terminal ${timing.terminal}`);
  }
  return timing;
}

/** Runs ours and the baseline alternately `runs` times each (a fresh user per run keeps limits out of it). */
async function interleaved(ctx: Ctx, model: string, runs: number) {
  const oursRuns: StreamTiming[] = [];
  const baseRuns: StreamTiming[] = [];
  for (let i = 0; i < runs; i++) {
    const user = newUser();
    const toolId = await ctx.client.tool(user, model);
    baseRuns.push(check(await baseline(ctx, model), "baseline"));
    oursRuns.push(check(await ours(ctx, user, toolId), "ours"));
  }
  return { oursRuns, baseRuns };
}

export async function firstDelta(ctx: Ctx) {
  const model = await ctx.client.model({ kind: "stream", chunks: ["Hello", " there"] });
  await interleaved(ctx, model, 3); // warm-up
  const { oursRuns, baseRuns } = await interleaved(ctx, model, ctx.quick ? 5 : 20);
  const oursMs = median(oursRuns.map((run) => run.firstDeltaMs));
  const baseMs = median(baseRuns.map((run) => run.firstDeltaMs));
  return { oursMs, baseMs, addedMs: oursMs - baseMs };
}

export async function throughput(ctx: Ctx) {
  const chunks = ctx.quick ? 5_000 : 50_000;
  const model = await ctx.client.model({ kind: "stream", chunks: ["tok "], repeat: chunks });
  const { oursRuns, baseRuns } = await interleaved(ctx, model, 3);
  const rate = (runs: StreamTiming[]) => median(runs.map((run) => chunks / (run.totalMs / 1000)));
  for (const run of [...oursRuns, ...baseRuns])
    if (run.outputChars !== chunks * 4) throw new Error(`throughput run lost text: ${run.outputChars}`);
  const oursRate = rate(oursRuns);
  const baseRate = rate(baseRuns);
  return { chunks, oursRate, baseRate, ratio: oursRate / baseRate };
}

/** The per-token case's model: 300 chunks (quick: 100) 5 ms apart, each its send time. */
export const latencyModel = (client: BenchClient, quick: boolean) =>
  client.model({ kind: "stream", chunks: ["x"], repeat: quick ? 100 : 300, chunkDelayMs: 5, stamp: true });

export async function tokenLatency(ctx: Ctx) {
  const model = await latencyModel(ctx.client, ctx.quick);
  const { oursRuns, baseRuns } = await interleaved(ctx, model, ctx.quick ? 2 : 4);
  const all = (runs: StreamTiming[]) => runs.flatMap((run) => run.tokenLatenciesMs);
  const ours = all(oursRuns);
  const base = all(baseRuns);
  return {
    oursP50: percentile(ours, 50),
    oursP99: percentile(ours, 99),
    baseP50: percentile(base, 50),
    baseP99: percentile(base, 99),
    addedP99: percentile(ours, 99) - percentile(base, 99),
  };
}

/** The scale case's shape: `users` users with a 3-prompt tool each, `perUser` executions per user at once. */
export function scaleShape(quick: boolean) {
  return { users: quick ? 10 : 40, perUser: 5, prompts: 3 };
}

/** The scale case's model: 20 short chunks, 10 ms apart. */
export const scaleModel = (client: BenchClient) =>
  client.model({ kind: "stream", chunks: ["alpha ", "beta ", "gamma ", "delta "], repeat: 5, chunkDelayMs: 10 });

/** One user and tool per slot of the scale case. */
export async function scaleTools(client: BenchClient, model: string, quick: boolean) {
  const { users, prompts } = scaleShape(quick);
  return Promise.all(
    Array.from({ length: users }, async () => {
      const user = newUser();
      return { user, toolId: await client.tool(user, model, prompts) };
    }),
  );
}

/** Every execution of the scale case at once; a run that threw counts as null. */
export async function scaleBurst(ctx: Ctx, tools: { user: string; toolId: string }[]) {
  const { perUser } = scaleShape(ctx.quick);
  return Promise.all(
    tools.flatMap(({ user, toolId }) =>
      Array.from({ length: perUser }, () => ours(ctx, user, toolId).catch(() => null)),
    ),
  );
}

export async function scale(ctx: Ctx) {
  const { users, perUser } = scaleShape(ctx.quick);
  const model = await scaleModel(ctx.client);
  const tools = await scaleTools(ctx.client, model, ctx.quick);
  const started = performance.now();
  const runs = await scaleBurst(ctx, tools);
  const wallMs = performance.now() - started;
  const ok = runs.filter((run): run is StreamTiming => completed(run));
  // The same concurrency through the baseline relay (one prompt each) separates our cost from the machine's.
  const baseRuns = await Promise.all(
    Array.from({ length: users * perUser }, () => baseline(ctx, model).catch(() => null)),
  );
  const baseOk = baseRuns.filter((run): run is StreamTiming => run !== null && run.status === 200);
  return {
    baseP50: percentile(
      baseOk.map((run) => run.firstDeltaMs),
      50,
    ),
    baseP95: percentile(
      baseOk.map((run) => run.firstDeltaMs),
      95,
    ),
    executions: users * perUser,
    users,
    completed: ok.length,
    errors: users * perUser - ok.length,
    p50: percentile(
      ok.map((run) => run.firstDeltaMs),
      50,
    ),
    p95: percentile(
      ok.map((run) => run.firstDeltaMs),
      95,
    ),
    wallMs,
  };
}

/** What the bench Worker counted for one tag (bench/worker/latency.ts `Tally`). */
export interface Counters {
  d1RoundTrips: number;
  d1Statements: number;
  d1Writes: number;
  doCalls: number;
  storageRows: number;
  storageKvPuts: number;
}

/** Headers that make the bench Worker count a request's cost under `tag` (nothing delayed). */
export const countedAs = (tag: string) => ({ "X-Bench-Context": JSON.stringify({ tag }) });

/** Everything counted under `tag`: the Worker's and every object's it reached. */
export async function countersOf(baseUrl: string, tag: string): Promise<Counters> {
  const response = await fetch(`${baseUrl}/bench/counters?tag=${encodeURIComponent(tag)}`);
  if (!response.ok) throw new Error(`counters: ${response.status} ${await response.text()}`);
  return (await response.json()) as Counters;
}

/** D1 statements and storage writes for one execution through the resumable API. */
export async function cost(ctx: Ctx, outputBytes: number, prompts: number) {
  const chunk = "0123456789abcdef".repeat(16); // 256 B
  const model = await ctx.client.model({
    kind: "stream",
    chunks: [chunk],
    repeat: Math.max(1, Math.round(outputBytes / chunk.length)),
  });
  const user = newUser();
  const toolId = await ctx.client.tool(user, model, prompts);
  const tag = randomUUID();
  const response = await fetch(`${ctx.client.baseUrl}/api/executions`, {
    method: "POST",
    headers: { ...ctx.client.headers(user), ...countedAs(tag) },
    body: JSON.stringify({ toolId, inputs: { topic: "cost" } }),
  });
  if (!response.ok) throw new Error(`cost run: ${response.status} ${await response.text()}`);
  const created = (await response.json()) as { id: string; eventsUrl: string };
  check(
    await timeStream(`${ctx.client.baseUrl}${created.eventsUrl}`, {
      headers: { ...ctx.client.headers(user), ...countedAs(tag) },
    }),
    "cost run",
  );
  const counters = await countersOf(ctx.client.baseUrl, tag);
  return {
    outputBytes,
    prompts,
    d1Writes: counters.d1Writes,
    d1Statements: counters.d1Statements,
    storageWrites: counters.storageRows + counters.storageKvPuts,
    bound: 3 + 2 * prompts,
  };
}

export async function bigOutputMemory(ctx: Ctx) {
  const megabytes = ctx.quick ? 5 : 20;
  const kilobyte = "0123456789abcdef".repeat(64);
  const model = await ctx.client.model({ kind: "stream", chunks: [kilobyte], repeat: megabytes * 1024 });
  const user = newUser();
  const toolId = await ctx.client.tool(user, model);
  const before = rssMiB(ctx.workerdPid);
  const sampler = sampleRss(ctx.workerdPid);
  const run = check(await ours(ctx, user, toolId), "big output");
  const peak = sampler.stop();
  if (run.outputChars !== megabytes * 1024 * 1024) throw new Error(`big output lost text: ${run.outputChars}`);
  await sleep(5_000);
  return { megabytes, before, peak, after: rssMiB(ctx.workerdPid) };
}
