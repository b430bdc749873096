// The budget cases: what a budget's tokenizer and meter cost a stream, and the tokenizer alone in workerd.
import { type Ctx, check, ours } from "./cases.ts";
import { newUser, PRICED_MODEL } from "./client.ts";
import { median } from "./stats.ts";

/**
 * What a budget costs a stream: ours on an unpriced model against ours on a priced one with a budget
 * (the tokenizer and the meter on every delta), interleaved, same chunks.
 */
export async function budgetThroughput(ctx: Ctx) {
  const chunks = ctx.quick ? 5_000 : 50_000;
  const attempt = { kind: "stream" as const, chunks: [" tok"], repeat: chunks };
  const unpriced = await ctx.client.model(attempt);
  await ctx.client.script(`${PRICED_MODEL}-upstream`, [attempt]);
  const rates = { unpriced: [] as number[], priced: [] as number[] };
  for (let i = 0; i < 3; i++) {
    for (const [key, model, budget] of [
      ["unpriced", unpriced, undefined],
      ["priced", PRICED_MODEL, 1_000_000_000],
    ] as const) {
      const user = newUser();
      const run = check(await ours(ctx, user, await ctx.client.tool(user, model, 1, budget)), `ours ${key}`);
      if (run.outputChars !== chunks * 4) throw new Error(`budget run lost text: ${run.outputChars}`);
      rates[key].push(chunks / (run.totalMs / 1000));
    }
  }
  const unpricedRate = median(rates.unpriced);
  const pricedRate = median(rates.priced);
  return { chunks, unpricedRate, pricedRate, ratio: pricedRate / unpricedRate };
}

/** The tokenizer alone in workerd: µs per 1,000 output tokens, counted one delta at a time (as a run does). */
export async function tokenizerCost(ctx: Ctx) {
  const deltas = " The quick brown fox jumps over the lazy dog; photosynthesis turns light into chemical energy."
    .split(/(?= )/)
    .filter(Boolean);
  const time = async (repeat: number) => {
    const started = performance.now();
    const response = await fetch(`${ctx.client.baseUrl}/bench/tokenizer`, {
      method: "POST",
      body: JSON.stringify({ deltas, repeat }),
    });
    const { tokens } = (await response.json()) as { tokens: number };
    return { ms: performance.now() - started, tokens };
  };
  await time(200); // warm-up: the encoding's tables load on first use
  const repeat = ctx.quick ? 2_000 : 20_000;
  const empty = median(await Promise.all([0, 1, 2].map(async () => (await time(0)).ms)));
  const runs = [];
  for (let i = 0; i < 3; i++) runs.push(await time(repeat));
  const tokens = runs[0]?.tokens ?? 0;
  const ms = median(runs.map((run) => run.ms)) - empty;
  return { tokens, usPer1000: (ms * 1000 * 1000) / tokens };
}
