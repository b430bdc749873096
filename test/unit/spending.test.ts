// The spending meter a run's prompts share: its budget, the daily reservation it grows as it
// spends (one at a time, never past the day), settling attempts, and execution.cost pacing.
import { describe, expect, it } from "vitest";
import { foldEvent } from "../../src/client/fold";
import { AttemptCost } from "../../src/engine/attempt-cost";
import { costEvents, SpendingMeter } from "../../src/engine/spending";
import { encodeLegacyEvent } from "../../src/events/legacy";
import type { ExecutionEvent, StoredEvent } from "../../src/events/types";
import { chatInputTokens as inputTokensWith, tokenCounter } from "../../src/lib/tokens";
import { inputsPreview } from "../../src/routes/views";
import { lowerBudget } from "../../src/services/budgets";

const textTokens = await tokenCounter();
const chatInputTokens = (system: string | null, prompt: string) => inputTokensWith(textTokens, system, prompt);

/** A daily budget of `cap` as D1 would grant it: what is left, up to what was asked. */
function dayOf(cap: number) {
  const calls: number[] = [];
  let held = 0;
  const reserve = async (more: number) => {
    calls.push(more);
    await Promise.resolve();
    held += Math.max(0, Math.min(more, cap - held));
    return held;
  };
  return { calls, reserve };
}

describe("SpendingMeter", () => {
  it("refuses an estimate past the budget and keeps the one before", () => {
    const meter = new SpendingMeter({ budgetMicros: 100 });
    expect(meter.admit("a", 60)).toBeNull();
    expect(meter.admit("b", 40)).toBeNull();
    expect(meter.admit("a", 61)).toBe("budget");
    expect(meter.spent()).toBe(100);
    // An attempt's final cost replaces its estimate; what an earlier life spent counts from the start.
    meter.settle("a", 30);
    expect(meter.spent()).toBe(70);
    expect(new SpendingMeter({ budgetMicros: 100 }, 95).admit("c", 6)).toBe("budget");
  });

  it("reserves the daily budget ahead, one reservation at a time for parallel prompts, and refuses past the day", async () => {
    const day = dayOf(50);
    const meter = new SpendingMeter({ budgetMicros: null, reserve: day.reserve, reserveAhead: 10 });
    const [left, right] = await Promise.all([meter.admit("left", 5), meter.admit("right", 5)]);
    expect([left, right]).toEqual([null, null]);
    // The first reservation covered both: one D1 write, not one per prompt.
    expect(day.calls).toEqual([15]);
    expect(meter.admit("left", 10)).toBeNull();
    expect(await meter.admit("left", 46)).toBe("daily");
    expect(day.calls).toEqual([15, 46]);
    expect(meter.spent()).toBe(15);
    expect(await meter.admit("left", 45)).toBeNull();
    expect(meter.spent()).toBe(50);
  });

  it("reports each change to onChange", () => {
    const seen: number[] = [];
    const meter = new SpendingMeter({ budgetMicros: null, onChange: (spent) => seen.push(spent) });
    meter.admit("a", 1.5);
    meter.settle("a", 2);
    expect(seen).toEqual([1.5, 2]);
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
  const request = { model: "m", systemContext: "Be brief.", prompt: "Hello there", temperature: null, maxTokens: null };

  it("estimates input before the call and output per delta, and settles at the provider's figure when reported", async () => {
    const meter = new SpendingMeter({ budgetMicros: null });
    const cost = new AttemptCost(meter, "p#1", price);
    expect(await cost.start(request)).toBeNull();
    const input = chatInputTokens("Be brief.", "Hello there") * 2;
    expect(meter.spent()).toBe(input);
    expect(cost.delta(" world")).toBeNull();
    expect(meter.spent()).toBe(input + textTokens(" world") * 8);
    cost.reported({ inputTokens: 100, outputTokens: 1 });
    expect(cost.end()).toEqual({ cost: 208, estimate: input + textTokens(" world") * 8 });
    expect(meter.spent()).toBe(208);
  });

  it("counts nothing for a free or unpriced model (no tokenizer on its path)", () => {
    const meter = new SpendingMeter({ budgetMicros: 1 });
    for (const free of [null, { inputUsdPerMTok: 0, outputUsdPerMTok: 0 }]) {
      const cost = new AttemptCost(meter, "free", free);
      expect(cost.start(request)).toBeNull();
      expect(cost.delta("a long answer that would pass any budget")).toBeNull();
      expect(cost.end()).toEqual({ cost: 0, estimate: 0 });
    }
  });

  it("does not count a delta the budget refused", async () => {
    const meter = new SpendingMeter({ budgetMicros: chatInputTokens(null, "Hi") * 2 + 8 });
    const cost = new AttemptCost(meter, "p#1", price);
    expect(await cost.start({ ...request, systemContext: null, prompt: "Hi" })).toBeNull();
    expect(cost.delta(" one")).toBeNull();
    expect(cost.delta(" two")).toBe("budget");
    expect(cost.end().estimate).toBe(chatInputTokens(null, "Hi") * 2 + 8);
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
  });
});
