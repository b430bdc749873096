// Budgets before a run (docs/api.md, "Budgets"): which budget applies, that every model it limits
// has a price, and that the owner's daily budget is not used up. The run enforces them as it streams.
import type { Database } from "../db/client";
import { DAY_MS, dayStart, spentOnDay } from "../db/daily-spending";
import type { Config } from "../lib/config";
import { AppError } from "../lib/errors";
import { assertModelsPriced } from "../lib/model-catalogue";

/** A budget as the tool API and requests write it. */
export interface Budget {
  maxCostMicros: number;
}

/** The lower of the tool's budget and the request's (null: neither sets one). */
export function lowerBudget(toolMicros: number | null, request: Budget | undefined): number | null {
  const requested = request?.maxCostMicros ?? null;
  if (toolMicros === null) return requested;
  return requested === null ? toolMicros : Math.min(toolMicros, requested);
}

/**
 * A run with a budget, or under a daily cap, counts every prompt's cost: each model needs a price
 * (a 400 naming the prompts). `pathOf` says where each prompt stands in the request.
 */
export function assertBudgetsCountable(
  config: Config,
  budgetMicros: number | null,
  prompts: readonly { name: string; model: string }[],
  pathOf: (index: number) => string,
): void {
  if (budgetMicros !== null) assertModelsPriced(config.models, prompts, pathOf, "the budget");
  else if (config.userDailyBudgetMicros > 0) assertModelsPriced(config.models, prompts, pathOf, "the daily budget");
}

/** A 429 `budget_exhausted` (Retry-After: until the next UTC day) when the owner's daily budget is used up. */
export async function assertDailyBudgetLeft(db: Database, config: Config, userId: string, now: number): Promise<void> {
  const cap = config.userDailyBudgetMicros;
  if (cap <= 0 || (await spentOnDay(db, userId, now)) < cap) return;
  throw new AppError(
    "budget_exhausted",
    `Your daily budget of ${cap} micro-dollars is used up; it renews at 00:00 UTC`,
    { retryAfter: Math.ceil((dayStart(now) + DAY_MS - now) / 1000) },
  );
}
