// What one life of an execution's object builds to make its run's model calls: the calls (engine/
// calls.ts) over the run's plan and the configuration, the spending meter with the run's budget and
// the owner's daily budget (held by their account), and the values templates are filled from.
import type { AgentTools } from "../engine/agent-turns";
import { RunCalls } from "../engine/calls";
import type { RunState } from "../engine/run-state";
import { nestedCost, totalCost } from "../engine/run-state";
import { type BudgetLedger, costEvents, SpendingMeter } from "../engine/spending";
import type { ExecutionEvent } from "../events/types";
import type { Config } from "../lib/config";
import { describeError, log } from "../lib/log";
import { ordinalAliases } from "../lib/templates";
import { tokenCounter } from "../lib/tokens";
import { catalogueEntry, createModelResolver } from "../models";
import { admissionLimits } from "./user/admission-limits";
import type { UserAccount } from "./user-account";

export interface RunCallsHost {
  config: Config;
  now(): number;
  state(): RunState | undefined;
  /** Each prompt's output as last known. */
  outputs: ReadonlyMap<string, string>;
  signal(): AbortSignal;
  append(event: ExecutionEvent): void;
  /** The owner's account, which holds the daily budget's ledger. */
  account(): DurableObjectStub<UserAccount>;
  /** The daily budget could not be checked: the run must stop. */
  ledgerFailed(): void;
  /** Agent steps' tools. */
  agentTools: AgentTools;
}

/** This life's model calls over `state`'s plan. */
export function createRunCalls(state: RunState, host: RunCallsHost): RunCalls {
  const { config } = host;
  return new RunCalls({
    plan: state.plan,
    meter: spendingMeter(state, host),
    pricing: (model) => {
      const entry = catalogueEntry(config, model);
      return { price: entry ?? null, contextTokens: entry?.contextTokens ?? null };
    },
    tokens: tokenCounter,
    resolveModel: createModelResolver(config),
    idleTimeoutMs: config.promptIdleTimeoutMs,
    attemptBackoffMs: 250,
    signal: () => host.signal(),
    emit: (event) => host.append(event),
    values: () => templateValues(host.state(), host.outputs),
    agentOf: (promptId) => host.state()?.prompts[promptId]?.agent,
    agentTools: host.agentTools,
  });
}

/**
 * The run's spending meter: its budget, and the owner's daily budget held by their account (a ledger that
 * cannot be reached stops the run: spending is never left unchecked). It starts from what the run
 * spent in earlier lives of the object.
 */
function spendingMeter(state: RunState, host: RunCallsHost): SpendingMeter {
  const { plan } = state;
  const cap = host.config.userDailyBudgetMicros;
  const budgetMicros = plan.budgetMicros ?? null;
  const ledger: BudgetLedger = {
    hold: async (request) => {
      try {
        return await host.account().holdDaily(plan.ownerId, admissionLimits(host.config), plan.executionId, request);
      } catch (error) {
        log("error", "the daily budget could not be held", {
          executionId: plan.executionId,
          error: describeError(error),
        });
        host.ledgerFailed();
        return 0;
      }
    },
  };
  return new SpendingMeter(
    {
      budgetMicros,
      minOutputTokens: host.config.budgetMinOutputTokens,
      onChange: costEvents(
        budgetMicros,
        (event) => host.append(event),
        () => host.now(),
      ),
      ...(cap > 0 ? { ledger, growStep: Math.ceil(cap / 100) } : {}),
    },
    totalCost(state),
    nestedCost(state),
  );
}

/** What templates are filled from: each input field's text and each ended prompt's output ("" when it failed). */
export function templateValues(
  state: RunState | undefined,
  outputs: ReadonlyMap<string, string>,
): ReadonlyMap<string, string> {
  if (!state) return new Map();
  const values = new Map(Object.entries(state.plan.values));
  for (const prompt of state.plan.prompts) {
    const status = state.prompts[prompt.id]?.status;
    if (status === undefined || status === "pending" || status === "running") continue;
    const text = status === "completed" ? (outputs.get(prompt.id) ?? "") : "";
    values.set(prompt.name, text);
    for (const alias of ordinalAliases(prompt.ordinal)) if (!values.has(alias)) values.set(alias, text);
  }
  return values;
}
