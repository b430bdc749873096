// Nested executions (an agent step's `assistant:` calls) against their parent's budget: each gets a
// share of what is left (equal among those that start together) held until it ends; its cost counts
// against the parent's budget but not again against the owner's day (its own run holds the day); the
// engine adds it to the step's cost; pure pieces of the assistant tool (schema, result text, ids).
import { describe, expect, it } from "vitest";
import { assistantInputSchema, nestedResultText } from "../../src/engine/assistant-tools";
import { PENDING_PROMPT, withNestedCost } from "../../src/engine/run-state";
import { type BudgetLedger, SpendingMeter } from "../../src/engine/spending";
import { nestedExecutionId, parentOf } from "../../src/lib/nested-ids";

const ask = (key: string, inputMicros: number) => ({
  key,
  inputMicros,
  outputMicrosPerToken: 1,
  maxOutputTokens: null,
});

describe("a nested execution's share of its parent's budget", () => {
  it("splits what is left equally among nested executions starting together, and holds it", async () => {
    const meter = new SpendingMeter({ budgetMicros: 1_000, minOutputTokens: 1 }, 100);
    expect(meter.openNested("a", 2)).toBe(450);
    expect(meter.openNested("b", 1)).toBe(450);
    // Nothing is left for a model call while both shares are held.
    const [grant] = await meter.open([ask("call", 10)]);
    expect(grant).toMatchObject({ granted: false, refusal: "budget" });
  });

  it("replaces the share by the cost when it ends, and counts that cost against the budget", async () => {
    const meter = new SpendingMeter({ budgetMicros: 1_000, minOutputTokens: 1 }, 0);
    meter.openNested("a", 1);
    meter.settleNested("a", 300);
    expect(meter.spent()).toBe(300);
    const [grant] = await meter.open([ask("call", 100)]);
    expect(grant).toMatchObject({ granted: true, reservedMicros: 700 });
  });

  it("gives none without a budget, and a restarted parent holds the share it gave before", () => {
    expect(new SpendingMeter({ budgetMicros: null, minOutputTokens: 1 }).openNested("a", 1)).toBeNull();
    const meter = new SpendingMeter({ budgetMicros: 1_000, minOutputTokens: 1 }, 200);
    expect(meter.openNested("a", 1, 350)).toBe(350);
  });

  it("never asks the owner's day for what nested executions hold or spent (they hold it themselves)", async () => {
    const asks: { base: number }[] = [];
    const ledger: BudgetLedger = {
      hold: async (request) => {
        asks.push(request);
        return request.want;
      },
    };
    const meter = new SpendingMeter({ budgetMicros: 10_000, minOutputTokens: 1, ledger }, 500, 400);
    meter.openNested("a", 1);
    meter.settleNested("a", 0);
    meter.openNested("b", 2);
    await meter.open([ask("call", 10)]);
    expect(asks[0]?.base).toBe(100);
  });
});

describe("assistant tools", () => {
  it("adds a nested execution's cost to the step's, and remembers it apart", () => {
    const step = withNestedCost({ ...PENDING_PROMPT, costMicros: 5 }, 20);
    expect(step).toMatchObject({ costMicros: 25, nestedCostMicros: 20 });
    expect(withNestedCost(step, null)).toBe(step);
  });

  it("describes the assistant's fields as the function's JSON Schema", () => {
    const schema = assistantInputSchema({
      inputFields: [
        { name: "topic", label: "Topic", type: "text", required: true, options: null },
        { name: "grade", label: "Grade", type: "select", required: false, options: ["K", "1"] },
        { name: "tags", label: "Tags", type: "multi_select", required: false, options: ["a"] },
      ] as never,
    });
    expect(schema).toEqual({
      type: "object",
      properties: {
        topic: { type: "string", description: "Topic" },
        grade: { type: "string", enum: ["K", "1"], description: "Grade" },
        tags: { type: "array", items: { type: "string", enum: ["a"] }, description: "Tags" },
      },
      required: ["topic"],
      additionalProperties: false,
    });
  });

  it("tells the model the final output, or how the nested execution ended", () => {
    const base = { toolName: "Summariser", output: "partial", error: null, costMicros: 0 };
    expect(nestedResultText({ ...base, status: "completed" }, "p~1-1-1")).toEqual({
      isError: false,
      output: "partial",
    });
    expect(nestedResultText({ ...base, status: "canceled" }, "p~1-1-1").output).toContain("was canceled");
    const failed = nestedResultText(
      { ...base, status: "failed", error: { code: "budget_exceeded", message: "The budget is spent" } },
      "p~1-1-1",
    );
    expect(failed).toEqual({
      isError: true,
      output: 'The assistant "Summariser" failed (budget_exceeded): The budget is spent. Its execution: p~1-1-1.',
    });
  });

  it("reads a nested execution's parent back from its id, and no parent from any other id", () => {
    const id = nestedExecutionId("8bae7fae-340b-45b5-933d-38069b2c81a2", "1-2-3");
    expect(parentOf(id)).toEqual({ executionId: "8bae7fae-340b-45b5-933d-38069b2c81a2", callId: "1-2-3" });
    expect(parentOf("8bae7fae-340b-45b5-933d-38069b2c81a2")).toBeNull();
    expect(parentOf("a~b")).toBeNull();
  });
});
