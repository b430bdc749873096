// The spending meter a run's prompts share: each call's share of the budgets and the output bound it
// pays for, equal shares for calls that start together, the day held through the ledger one request
// at a time, settling calls (and what a provider billed past its bound), and execution.cost pacing.
import { describe, expect, it } from "vitest";
import { foldEvent } from "../../src/client/fold";
import { inputsPreview } from "../../src/db/execution-summary";
import { AttemptCost, callAsk } from "../../src/engine/attempt-cost";
import { type BudgetLedger, costEvents, SpendingMeter, splitEqually } from "../../src/engine/spending";
import { encodeLegacyEvent } from "../../src/events/legacy";
import type { ExecutionEvent, StoredEvent } from "../../src/events/types";
import { chatInputTokens as inputTokensWith, tokenCounter } from "../../src/lib/tokens";
import { lowerBudget } from "../../src/services/budgets";

const textTokens = await tokenCounter();
const chatInputTokens = (system: string | null, prompt: string) => inputTokensWith(textTokens, system, prompt);

/** A daily budget of `cap` as the D1 ledger grants it: the run's hold set as a whole, never past the cap. */
function dayOf(cap: number, others = 0) {
  const asks: { base: number; want: number; min: number }[] = [];
  const ledger: BudgetLedger = {
    hold: async (request) => {
      asks.push(request);
      await Promise.resolve();
      const left = cap - others - request.base;
      return left >= request.min ? Math.max(0, Math.min(request.want, left)) : 0;
    },
  };
  return { asks, ledger };
}

const MIN = 16;
const ask = (key: string, inputMicros: number, outputMicrosPerToken = 1, maxOutputTokens: number | null = null) => ({
  key,
  inputMicros,
  outputMicrosPerToken,
  maxOutputTokens,
});

describe("SpendingMeter", () => {
  it("bounds a call's output to what the budget can pay after its input, and reserves that worst case", async () => {
    const meter = new SpendingMeter({ budgetMicros: 100, minOutputTokens: MIN });
    const [grant] = await meter.open([ask("a", 20, 2)]);
    expect(grant).toEqual({ granted: true, reservedMicros: 100, outputTokens: 40, boundBy: "budget" });
    // The prompt's own limit is lower: it is the bound, and only it is reserved.
    const own = new SpendingMeter({ budgetMicros: 100, minOutputTokens: MIN });
    expect(await own.open([ask("a", 20, 2, 25)])).toEqual([
      { granted: true, reservedMicros: 70, outputTokens: 25, boundBy: null },
    ]);
  });

  it("splits what is left equally between calls that start together, and refuses a share that cannot pay the minimum", async () => {
    const meter = new SpendingMeter({ budgetMicros: 100, minOutputTokens: MIN });
    const grants = await meter.open([ask("a", 10), ask("b", 10)]);
    expect(grants).toEqual([
      { granted: true, reservedMicros: 50, outputTokens: 40, boundBy: "budget" },
      { granted: true, reservedMicros: 50, outputTokens: 40, boundBy: "budget" },
    ]);
    // A call that needs less leaves the rest to the other.
    const uneven = new SpendingMeter({ budgetMicros: 100, minOutputTokens: MIN });
    const [small, large] = await uneven.open([ask("a", 10, 1, 20), ask("b", 10)]);
    expect(small).toMatchObject({ reservedMicros: 30, outputTokens: 20 });
    expect(large).toMatchObject({ reservedMicros: 70, outputTokens: 60 });
    // Nothing is left for a third call: it is not made.
    expect(await meter.open([ask("c", 1)])).toEqual([{ granted: false, refusal: "budget" }]);
  });

  it("settles a call at what it cost, gives the rest back, and reports what the provider billed past the reservation", async () => {
    const meter = new SpendingMeter({ budgetMicros: 100, minOutputTokens: MIN });
    await meter.open([ask("a", 20, 2)]);
    expect(meter.settle("a", 30)).toBe(0);
    expect(meter.spent()).toBe(30);
    expect(await meter.open([ask("b", 10)])).toEqual([
      { granted: true, reservedMicros: 70, outputTokens: 60, boundBy: "budget" },
    ]);
    expect(meter.settle("b", 90)).toBe(20);
    expect(meter.spent()).toBe(120);
    // What an earlier life spent counts from the start.
    expect(await new SpendingMeter({ budgetMicros: 100, minOutputTokens: MIN }, 95).open([ask("c", 1)])).toEqual([
      { granted: false, refusal: "budget" },
    ]);
  });

  it("admits estimates within a call's reservation, grows past it while the budget allows, and refuses after", async () => {
    const meter = new SpendingMeter({ budgetMicros: 100, minOutputTokens: MIN });
    await meter.open([ask("a", 10, 1, 30)]);
    expect(meter.admit("a", 40)).toBeNull();
    // The tokenizer counted more than the bound allowed for: the budget still has room.
    expect(meter.admit("a", 90)).toBeNull();
    expect(meter.admit("a", 101)).toBe("budget");
    expect(meter.spent()).toBe(90);
  });

  it("holds the day through the ledger: one request for calls that start together, refusal past the day", async () => {
    const day = dayOf(200, 100);
    const meter = new SpendingMeter({ budgetMicros: null, ledger: day.ledger, minOutputTokens: MIN });
    const grants = await meter.open([ask("a", 10), ask("b", 10)]);
    expect(day.asks).toEqual([{ base: 0, want: Number.POSITIVE_INFINITY, min: 26 }]);
    expect(grants).toEqual([
      { granted: true, reservedMicros: 50, outputTokens: 40, boundBy: "daily" },
      { granted: true, reservedMicros: 50, outputTokens: 40, boundBy: "daily" },
    ]);
    meter.settle("a", 20);
    // The next call asks with what the run still claims as its base.
    expect(await meter.open([ask("c", 30)])).toEqual([{ granted: false, refusal: "daily" }]);
    expect(day.asks[1]).toEqual({ base: 70, want: Number.POSITIVE_INFINITY, min: 46 });
  });

  it("asks the ledger for more when an estimate outgrows its reservation, one request at a time", async () => {
    const day = dayOf(1000);
    const meter = new SpendingMeter({ budgetMicros: null, ledger: day.ledger, minOutputTokens: MIN, growStep: 10 });
    await meter.open([ask("a", 10, 1, 20), ask("b", 10, 1, 20)]);
    const [left, right] = await Promise.all([meter.admit("a", 35), meter.admit("b", 35)]);
    expect([left, right]).toEqual([null, null]);
    expect(day.asks.slice(1)).toEqual([
      { base: 60, want: 15, min: 5 },
      { base: 75, want: 15, min: 5 },
    ]);
    expect(await meter.admit("a", 2000)).toBe("daily");
  });

  it("counts calls without a budget for the spending it reports, and bounds them only by their prompts", async () => {
    const seen: number[] = [];
    const meter = new SpendingMeter({
      budgetMicros: null,
      minOutputTokens: MIN,
      onChange: (spent) => seen.push(spent),
    });
    expect(await meter.open([ask("a", 1.5, 1, 99)])).toEqual([
      { granted: true, reservedMicros: 1.5, outputTokens: null, boundBy: null },
    ]);
    meter.admit("a", 2.5);
    expect(meter.settle("a", 2)).toBe(0);
    expect(seen).toEqual([1.5, 2.5, 2]);
  });
});

describe("splitEqually", () => {
  it("gives each an equal share, no one more than it wants, and what one leaves to the rest", () => {
    expect(splitEqually(90, [100, 100, 100])).toEqual([30, 30, 30]);
    expect(splitEqually(90, [10, 100, 100])).toEqual([10, 40, 40]);
    expect(splitEqually(90, [10, 20, Number.POSITIVE_INFINITY])).toEqual([10, 20, 60]);
    expect(splitEqually(Number.POSITIVE_INFINITY, [5, 7])).toEqual([5, 7]);
  });
});

describe("costEvents", () => {
  it("sends whole micro-dollars at most once per interval, and only when they changed", () => {
    const sent: ExecutionEvent[] = [];
    let now = 0;
    const report = costEvents(
      500,
      (item) => sent.push(item),
      () => now,
    );
    report(0.2);
    report(10.4);
    now = 999;
    report(20);
    now = 1000;
    report(20.1);
    now = 2500;
    report(21);
    now = 4000;
    report(21);
    expect(sent).toEqual([
      { type: "execution.cost", data: { spentMicros: 1, budgetMicros: 500 } },
      { type: "execution.cost", data: { spentMicros: 21, budgetMicros: 500 } },
    ]);
  });
});

describe("AttemptCost", () => {
  const price = { inputUsdPerMTok: 2, outputUsdPerMTok: 8 };
  const request = { model: "m", systemContext: "Be brief.", prompt: "Hello there", temperature: null, maxTokens: 50 };
  const pricing = { price, contextTokens: null };

  it("asks for the rendered input before the call, counts output per delta, and settles at the provider's figure", async () => {
    const meter = new SpendingMeter({ budgetMicros: null, minOutputTokens: MIN });
    const asked = callAsk("p#1", request, pricing, textTokens);
    const input = chatInputTokens("Be brief.", "Hello there") * 2;
    expect(asked).toEqual({ key: "p#1", inputMicros: input, outputMicrosPerToken: 8, maxOutputTokens: 50 });
    await meter.open(asked ? [asked] : []);
    const cost = new AttemptCost(meter, asked, price, textTokens);
    expect(meter.spent()).toBe(input);
    expect(cost.delta(" world")).toBeNull();
    expect(meter.spent()).toBe(input + textTokens(" world") * 8);
    cost.reported({ inputTokens: 100, outputTokens: 1 });
    expect(cost.end()).toEqual({ cost: 208, estimate: input + textTokens(" world") * 8, overshoot: 0 });
    expect(meter.spent()).toBe(208);
  });

  it("bounds the output by what the model's context leaves after the input", () => {
    const asked = callAsk("p#1", { ...request, maxTokens: null }, { price, contextTokens: 20 }, textTokens);
    expect(asked?.maxOutputTokens).toBe(20 - chatInputTokens("Be brief.", "Hello there"));
  });

  it("counts nothing for a free or unpriced model (no tokenizer on its path)", () => {
    const meter = new SpendingMeter({ budgetMicros: 1, minOutputTokens: MIN });
    for (const free of [null, { inputUsdPerMTok: 0, outputUsdPerMTok: 0 }]) {
      expect(callAsk("free", request, { price: free, contextTokens: null }, textTokens)).toBeNull();
      const cost = new AttemptCost(meter, null, free, null);
      expect(cost.delta("a long answer that would pass any budget")).toBeNull();
      expect(cost.end()).toEqual({ cost: 0, estimate: 0, overshoot: 0 });
    }
  });

  it("does not count a delta the budget refused", async () => {
    const base = chatInputTokens(null, "Hi") * 2;
    const meter = new SpendingMeter({ budgetMicros: base + 8 * 20, minOutputTokens: MIN });
    const asked = callAsk(
      "p#1",
      { ...request, systemContext: null, prompt: "Hi", maxTokens: null },
      pricing,
      textTokens,
    );
    await meter.open(asked ? [asked] : []);
    const cost = new AttemptCost(meter, asked, price, textTokens);
    expect(cost.delta(" one".repeat(20))).toBeNull();
    expect(cost.delta(" two")).toBe("budget");
    expect(cost.end().estimate).toBe(base + 8 * 20);
  });
});

describe("tokens", () => {
  it("counts with the o200k tokenizer, loaded once, special-token text as text, and frames chat messages", async () => {
    expect(await tokenCounter()).toBe(textTokens);
    expect(textTokens("")).toBe(0);
    expect(textTokens("hello world")).toBe(2);
    expect(textTokens("<|endoftext|>")).toBeGreaterThan(1);
    expect(chatInputTokens(null, "hello world")).toBe(3 + 2 + 3);
    expect(chatInputTokens("system", "hello world")).toBe(3 + textTokens("system") + 3 + 2 + 3);
  });
});

describe("execution.cost on the wire", () => {
  const cost: StoredEvent = { id: 7, type: "execution.cost", data: { spentMicros: 12, budgetMicros: 100 } };

  it("is folded into the spending a page shows, and execution.completed's cost is the final figure", () => {
    const started = foldEvent(null, {
      id: 1,
      type: "execution.started",
      data: { executionId: "e", toolId: "t", toolName: "T", prompts: [] },
    });
    const spending = foldEvent(started, cost);
    expect(spending).toMatchObject({ spentMicros: 12, budgetMicros: 100, lastEventId: 7 });
    const done = foldEvent(spending, {
      id: 8,
      type: "execution.completed",
      data: { durationMs: 5, usage: { inputTokens: 1, outputTokens: 1 }, costMicros: 15 },
    });
    expect(done).toMatchObject({ status: "completed", spentMicros: 15, budgetMicros: 100 });
  });

  it("has no frame on the original endpoint, whose clients never knew it", () => {
    const context = { executionId: "e", toolName: "T", promptIds: [], promptModels: [], canceledPromptIds: () => [] };
    expect(encodeLegacyEvent(cost, context)).toBe("");
  });
});

describe("which budget applies", () => {
  it("is the lower of the tool's and the request's, either alone, or none", () => {
    expect(lowerBudget(null, undefined)).toBeNull();
    expect(lowerBudget(500, undefined)).toBe(500);
    expect(lowerBudget(null, { maxCostMicros: 40 })).toBe(40);
    expect(lowerBudget(500, { maxCostMicros: 40 })).toBe(40);
    expect(lowerBudget(30, { maxCostMicros: 40 })).toBe(30);
  });
});

describe("the inputs preview of a list item", () => {
  it("is one line of every input, lists joined, cut at 140 characters", () => {
    expect(inputsPreview({ topic: "Fractions\nand decimals", grade: ["1", "2"], pages: 3 })).toBe(
      "topic: Fractions and decimals · grade: 1, 2 · pages: 3",
    );
    const long = inputsPreview({ topic: "x".repeat(500) });
    expect(long).toHaveLength(140);
    expect(long.endsWith("…")).toBe(true);
    expect(inputsPreview({})).toBe("");
    // With the run's fields, their labels (a field the run did not keep keeps its name).
    expect(inputsPreview({ topic: "Tides", extra: 1 }, [{ name: "topic", label: "Topic of the lesson" }])).toBe(
      "Topic of the lesson: Tides · extra: 1",
    );
  });
});
