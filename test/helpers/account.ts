// Reaches a user's account (their Durable Object) directly, for tests of admission and its clock.
import { env } from "cloudflare:workers";
import type { ExecutionSummary } from "../../src/db/execution-summary";
import type { UserAccount } from "../../src/durable/user-account";

export const accountStub = (userId: string): DurableObjectStub<UserAccount> =>
  env.USER_ACCOUNT.get(env.USER_ACCOUNT.idFromName(userId));

/** A list item for an execution admitted straight through the account. */
export const summaryFor = (id: string): ExecutionSummary => ({
  id,
  toolId: "tool",
  toolName: "Tool",
  status: "running",
  error: null,
  createdAt: Date.now(),
  startedAt: Date.now(),
  completedAt: null,
  sourceExecutionId: null,
  fromPromptId: null,
  costMicros: null,
  budgetMicros: null,
  inputsPreview: "",
  outputPreview: null,
});
