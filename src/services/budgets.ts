// Budgets before a run (docs/api.md, "Budgets"): which budget applies, that every model it limits
// has a price, and that the run's budget and what is left of the owner's day can pay for its first
// calls. The run enforces them call by call as it streams.
import { type ExecutionPlan, groupByPosition } from "../engine/plan";
import { renderRequest } from "../engine/render";
import type { Config } from "../lib/config";
import { AppError } from "../lib/errors";
import { isPaid } from "../lib/model-catalogue";
import { chatInputTokens, tokenCounter } from "../lib/tokens";

export { assertBudgetsCountable, type Budget, lowerBudget } from "../engine/execution-drafts";

/**
 * What the first prompts a run makes calls for must be able to pay before the run is accepted: each
 * one's rendered input and BUDGET_MIN_OUTPUT_TOKENS of output, at its model's price (0 when every
 * model is free). `values` fill their templates (inputs, and for a rerun its source's outputs).
 */
export async function firstCallsNeed(
  config: Config,
  draft: Pick<ExecutionPlan, "prompts" | "reusable">,
  values: ReadonlyMap<string, string>,
): Promise<number> {
  // The first group with a prompt that must call its model (a rerun's reused prompts call none).
  const first = groupByPosition(draft.prompts).find((group) => group.some((prompt) => !(prompt.id in draft.reusable)));
  const priced = (first ?? []).flatMap((prompt) => {
    const price = config.models.entries.get(prompt.model) ?? null;
    return isPaid(price) ? [{ prompt, price }] : [];
  });
  if (priced.length === 0) return 0;
  const count = await tokenCounter();
  let need = 0;
  for (const { prompt, price } of priced) {
    const request = renderRequest(prompt, values);
    need +=
      chatInputTokens(count, request.systemContext, request.prompt) * price.inputUsdPerMTok +
      config.budgetMinOutputTokens * price.outputUsdPerMTok;
  }
  return Math.ceil(need);
}

/** A 400 naming `budget` when the run's budget cannot pay for its first calls (`need`). */
export function assertBudgetCovers(budgetMicros: number | null, need: number): void {
  if (budgetMicros === null || budgetMicros >= need) return;
  const message = `The budget of ${budgetMicros} micro-dollars cannot pay for the first prompts' input and minimum output (${need} micro-dollars)`;
  throw new AppError("validation_failed", message, { details: { fields: [{ path: "budget", message }] } });
}
