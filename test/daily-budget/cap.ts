/** The daily budget of the `daily-budget` test project's users (USER_DAILY_BUDGET_MICROS, set in vitest.config.ts). */
export const TEST_DAILY_BUDGET_MICROS = 3000;
