// A NewExecution row for tests that insert executions straight into D1 (the queries under test).
import type { NewExecution } from "../../src/db/execution-queries";

/** A running execution with no prompts, owned by `ownerId`; override what the test is about. */
export const newExecution = (ownerId: string, overrides: Partial<NewExecution> = {}): NewExecution => ({
  id: crypto.randomUUID(),
  status: "running",
  createdAt: Date.now(),
  ownerId,
  toolId: "tool",
  toolName: "Tool",
  inputs: {},
  idempotencyKey: null,
  requestFingerprint: null,
  durableObjectId: "do",
  onPromptError: "stop",
  inputFields: [],
  sourceExecutionId: null,
  fromPromptId: null,
  toolBudgetMicros: null,
  budgetMicros: null,
  prompts: [],
  ...overrides,
});
