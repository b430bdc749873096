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

/**
 * The tokenizer alone in workerd: µs per 1,000 output tokens, counted one delta at a time (as a run
 * does), on words that never repeat (its cache never answers: the worst case), timed from here as
 * the difference between making the deltas and making and counting them.
 */
export async function tokenizerCost(ctx: Ctx) {
  let seed = 1;
  const time = async (deltas: number, count: boolean) => {
    const started = performance.now();
    const response = await fetch(`${ctx.client.baseUrl}/bench/tokenizer`, {
      method: "POST",
      body: JSON.stringify({ deltas, seed: seed++, count }),
    });
    const { tokens } = (await response.json()) as { tokens: number };
    return { ms: performance.now() - started, tokens };
  };
  await time(2_000, true); // warm-up: the encoding's tables load on first use
  const deltas = ctx.quick ? 20_000 : 100_000;
  const made: number[] = [];
  const counted: { ms: number; tokens: number }[] = [];
  for (let i = 0; i < 3; i++) {
    made.push((await time(deltas, false)).ms);
    counted.push(await time(deltas, true));
  }
  const tokens = median(counted.map((run) => run.tokens));
  const ms = median(counted.map((run) => run.ms)) - median(made);
  return { tokens, usPer1000: (ms * 1000 * 1000) / tokens };
}
