// What a run tells its owner's account (durable/user-account.ts): a renewed lease, that it ended (with
// what the owner's day counts), that its record is indexed, that it runs again after waiting; and the
// question whether it may wait for a person. The account holds the user's slots and daily budget.
import { summaryOf } from "../engine/outcomes";
import { ownCost, type RunState } from "../engine/run-state";
import type { Config } from "../lib/config";
import { describeError, log } from "../lib/log";
import { admissionLimits } from "./user/admission-limits";
import type { UserAccount } from "./user-account";

export type AccountAction = "renew" | "ended" | "indexed" | "resumed";

type Account = DurableObjectStub<UserAccount>;

const runOf = (state: RunState) => ({
  id: state.plan.executionId,
  createdAt: state.plan.header?.createdAt ?? state.startedAt,
});

/**
 * Tells the account what became of the run. A lease not renewed lapses on its own; an end not told is
 * tried a few times (until then the account counts the run's hold against the day).
 */
export async function tellAccount(
  account: Account,
  config: Config,
  state: RunState,
  outputs: () => ReadonlyMap<string, string>,
  action: AccountAction,
): Promise<void> {
  const { plan } = state;
  const limits = admissionLimits(config);
  const run = runOf(state);
  const tries = action === "ended" ? 3 : 1;
  for (let attempt = 1; attempt <= tries; attempt++) {
    try {
      if (action === "renew") await account.renewLease(plan.ownerId, limits, run);
      else if (action === "resumed") await account.resumedAfterWaiting(plan.ownerId, limits, run);
      else if (action === "indexed") await account.runIndexed(plan.executionId);
      else
        await account.runEnded(plan.ownerId, limits, {
          ...run,
          // The owner's day counts nested executions on their own runs.
          costMicros: ownCost(state),
          summary: summaryOf(state, outputs()),
          indexed: !state.owesSnapshot,
        });
      return;
    } catch (error) {
      log("warn", "could not tell the account", { executionId: plan.executionId, action, error: describeError(error) });
      await new Promise((resolve) => setTimeout(resolve, 200 * attempt));
    }
  }
}

/**
 * Asks the account whether the run may wait for a person (MAX_WAITING_EXECUTIONS). An account that
 * cannot be reached lets nobody wait: the call is denied rather than left unbounded.
 */
export function mayWait(account: Account, config: Config, state: RunState): Promise<boolean> {
  return account.beginWaiting(state.plan.ownerId, admissionLimits(config), runOf(state)).catch((error: unknown) => {
    log("error", "the account could not be asked to let the run wait", { error: describeError(error) });
    return false;
  });
}
