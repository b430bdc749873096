// The peer cases: each runs every system on the same scripted model and reads what its readers got.
import { latencyModel } from "../cases.ts";
import type { BenchClient } from "../client.ts";
import { median, percentile } from "../stats.ts";
import { type Receipt, utf8Bytes } from "./receipt.ts";
import type { System } from "./systems.ts";

export interface PeerCtx {
  client: BenchClient;
  quick: boolean;
  /** A peer's runs that did not end with the whole text, by "system: case" (ours never: it throws). */
  wrongRuns: Map<string, number>;
}

/** Numbered chunks, so a lost or doubled one changes the text. */
const numbered = (count: number) => Array.from({ length: count }, (_, i) => `c${i} `);

/**
 * One run read to its end. A run that did not end, or whose text is not `expected`, fails the benchmark
 * when it is ours; a peer's is counted in `ctx.wrongRuns` under `what`, reported beside the table.
 */
async function whole(ctx: PeerCtx, system: System, what: string, model: string, expected?: string) {
  await system.prepare?.(model, 1);
  const receipt = await (await system.start(model)).receipt;
  const intact = receipt.ended && (expected === undefined || receipt.text === expected);
  if (!intact) {
    const problem = `${system.name}, ${what}: ended ${receipt.ended}, ${receipt.text.length} characters, expected ${expected?.length}`;
    if (system.name === "ours") throw new Error(problem);
    console.log(`  wrong text: ${problem}`);
    const key = `${system.name}: ${what}`;
    ctx.wrongRuns.set(key, (ctx.wrongRuns.get(key) ?? 0) + 1);
  }
  return receipt;
}

export async function firstDelta(ctx: PeerCtx, system: System) {
  const model = await ctx.client.model({ kind: "stream", chunks: ["Hello", " there"] });
  for (let i = 0; i < 3; i++) await whole(ctx, system, "first delta", model, "Hello there"); // warm-up
  const runs: number[] = [];
  for (let i = 0; i < (ctx.quick ? 5 : 20); i++)
    runs.push((await whole(ctx, system, "first delta", model, "Hello there")).firstTextMs);
  return median(runs);
}

export async function throughput(ctx: PeerCtx, system: System) {
  const chunks = ctx.quick ? 5_000 : 50_000;
  const model = await ctx.client.model({ kind: "stream", chunks: ["tok "], repeat: chunks });
  const rates: number[] = [];
  for (let i = 0; i < 3; i++) {
    const receipt = await whole(ctx, system, "throughput", model, "tok ".repeat(chunks));
    rates.push(chunks / (receipt.totalMs / 1000));
  }
  return { chunks, rate: median(rates) };
}

export async function tokenLatency(ctx: PeerCtx, system: System) {
  const model = await latencyModel(ctx.client, ctx.quick);
  await whole(ctx, system, "per-token", model); // warm-up: the case before it leaves garbage behind (an outlier of 15 ms p99)
  const latencies: number[] = [];
  for (let i = 0; i < (ctx.quick ? 2 : 4); i++)
    latencies.push(...(await whole(ctx, system, "per-token", model)).latenciesMs);
  return { p50: percentile(latencies, 50), p99: percentile(latencies, 99) };
}

/**
 * A reader drops at half the output, the run goes on for `gapMs`, and the reader reconnects: the time
 * from reconnecting to its first text, bytes on the wire after reconnecting ÷ bytes of text it still
 * lacked, and whether the text it ends with is the whole answer, nothing lost or doubled.
 */
export async function resume(ctx: PeerCtx, system: System) {
  const { follow } = system;
  if (!follow) return null;
  const chunks = numbered(ctx.quick ? 200 : 400);
  const expected = chunks.join("");
  const model = await ctx.client.model({ kind: "stream", chunks, chunkDelayMs: 2 });
  const gapMs = 100;
  const samples: { firstMs: number; bytesRatio: number; intact: boolean }[] = [];
  for (let i = 0; i < (ctx.quick ? 2 : 5); i++) {
    await system.prepare?.(model, 1);
    const started = await system.start(model, { stopAfterChars: expected.length / 2 });
    const dropped = await started.receipt;
    await new Promise((resolve) => setTimeout(resolve, gapMs));
    const resumed = await follow(started.run, { from: dropped });
    const text = system.replaysFromStart ? resumed.text : dropped.text + resumed.text;
    samples.push({
      firstMs: resumed.firstTextMs,
      bytesRatio: resumed.wireBytes / utf8Bytes(expected.slice(dropped.text.length)),
      intact: text === expected && resumed.ended,
    });
  }
  return {
    firstMs: median(samples.map((sample) => sample.firstMs)),
    bytesRatio: median(samples.map((sample) => sample.bytesRatio)),
    intact: samples.every((sample) => sample.intact),
  };
}

/** One run followed by `readers` readers at once (the starter and the rest): delivery lag and agreement. */
export async function fanOut(ctx: PeerCtx, system: System) {
  const { follow } = system;
  if (!follow) return null;
  const readers = ctx.quick ? 20 : 100;
  // The first chunk comes a second after the request, so the readers are attached by then: the lag
  // is delivery, not how long 100 connections take to open.
  const model = await ctx.client.model({
    kind: "stream",
    chunks: ["x"],
    repeat: 200,
    chunkDelayMs: 5,
    firstChunkDelayMs: 1_000,
    stamp: true,
  });
  await system.prepare?.(model, 1);
  const started = await system.start(model);
  const receipts = await Promise.all([
    started.receipt,
    ...Array.from({ length: readers - 1 }, () => follow(started.run)),
  ]);
  const lags = receipts.flatMap((receipt) => receipt.latenciesMs);
  // The model's 200 stamps, each once and in order: what every reader should hold.
  const whole = (receipt: Receipt) => receipt.ended && receipt.latenciesMs.length === 200;
  const texts = new Set(receipts.filter(whole).map((receipt) => receipt.text));
  return { readers, p99: percentile(lags, 99), intactReaders: texts.size === 1 ? receipts.filter(whole).length : 0 };
}

/** Storage writes while one run streams 1,000 one-token chunks, per 1,000 output tokens. */
export async function writesPer1000(ctx: PeerCtx, system: System) {
  const { writes } = system;
  if (!writes) return 0;
  const model = await ctx.client.model({ kind: "stream", chunks: ["tok "], repeat: 1_000, chunkDelayMs: 1 });
  await system.prepare?.(model, 1);
  const before = await writes();
  const started = await system.start(model);
  await started.receipt;
  return (await writes(started.run)) - before;
}

const BURST_DEADLINE_MS = 60_000;

/** `count` runs started at once: first text p50/p95 and runs that failed or lost text. */
export async function burst(ctx: PeerCtx, system: System) {
  const count = ctx.quick ? 20 : 200;
  const chunks = numbered(20);
  const expected = chunks.join("");
  const model = await ctx.client.model({ kind: "stream", chunks, chunkDelayMs: 10 });
  await system.prepare?.(model, count);
  // A run that has not ended a minute later counts as an error (the runs take about 0.3 s alone).
  const deadline = new Promise<null>((resolve) => setTimeout(resolve, BURST_DEADLINE_MS, null).unref());
  const receipts = await Promise.all(
    Array.from({ length: count }, async () => {
      try {
        return await Promise.race([(await system.start(model)).receipt, deadline]);
      } catch {
        return null;
      }
    }),
  );
  const ok = receipts.filter((receipt): receipt is Receipt => receipt?.ended === true && receipt.text === expected);
  const firsts = ok.map((receipt) => receipt.firstTextMs);
  return { count, p50: percentile(firsts, 50), p95: percentile(firsts, 95), errors: count - ok.length };
}
