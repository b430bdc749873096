// The run inside an execution's object: drives the chain, records its progress in D1 (stopping the
// run when D1 fails), and ends it. It reaches the object only through a narrow host.
import type { ExecutionRecords } from "../db/execution-records";
import { ChainRunner, type PriorProgress } from "../engine/chain-runner";
import { type Ending, endingOf } from "../engine/endings";
import { type LoggedCompletion, resumeFrom } from "../engine/resume";
import { type BudgetLedger, costEvents, SpendingMeter } from "../engine/spending";
import type { SessionState } from "../engine/state";
import * as transition from "../engine/state";
import { databaseUnavailable } from "../engine/stop-reasons";
import type { ExecutionEvent } from "../events/types";
import type { Config } from "../lib/config";
import { describeError, log } from "../lib/log";
import { tokenCounter } from "../lib/tokens";
import { catalogueEntry, createModelResolver } from "../models";
import { writeFinalRecords } from "./final-records";
import { logFinished } from "./run-log";

/** What a run needs of its object. */
export interface RunHost {
  state(): SessionState;
  /** Stores the next state (the one place it changes) and returns it. */
  apply(next: SessionState): SessionState;
  /** Appends to the event log and wakes followers. */
  emit(event: ExecutionEvent): void;
  records(): ExecutionRecords;
  /** A rerun's source output for a prompt it reuses (undefined when there is none). */
  sourceOutput(promptId: string): Promise<string | undefined>;
  /** Every prompt's output so far and its logged completion, from the event log. */
  progress(): { outputs: ReadonlyMap<string, string>; completions: ReadonlyMap<string, LoggedCompletion> };
  lastEventId(): number;
  now(): number;
  /** The terminal event is stored: let go of the run's memory and schedule what comes next. */
  ended(state: SessionState): Promise<void>;
}

/**
 * Runs the chain to its end under `controller` (cancel, the cap and D1 failures abort it), then
 * finishes. With `resume`, it picks up what an earlier life of the object left (see engine/resume.ts).
 */
export async function executeRun(
  host: RunHost,
  config: Config,
  controller: AbortController,
  resume = false,
): Promise<void> {
  const { plan, startedAt, limitMs } = host.state();
  // D1 is written at state changes; a write that fails stops the run, and the records are owed.
  const record = async (write: (records: ExecutionRecords) => Promise<void>) => {
    if (host.state().owesSnapshot) return;
    try {
      await write(host.records());
    } catch (error) {
      log("error", "D1 write failed during a run", { executionId: plan.executionId, error: describeError(error) });
      host.apply(transition.recordsOwed(host.state(), true));
      controller.abort(databaseUnavailable());
    }
  };
  let prior: PriorProgress | undefined;
  if (resume) {
    const { outputs, completions } = host.progress();
    const resumption = resumeFrom(host.state(), completions, outputs);
    const state = host.apply(resumption.state);
    prior = resumption.prior;
    // The earlier instance may have stopped before writing an ended prompt to D1: write each again (idempotent).
    for (const [promptId, ended] of prior.ended) {
      const step = state.prompts[promptId];
      if (!step) continue;
      const outcome = {
        ...ended,
        startedAt: step.startedAt,
        completedAt: step.completedAt ?? host.now(),
        attempts: step.attempts,
      };
      await record((records) => records.finishPrompt(promptId, outcome));
    }
  }
  const runner = new ChainRunner({
    ...spending(host, config, controller),
    plan,
    resolveModel: createModelResolver(config),
    idleTimeoutMs: config.promptIdleTimeoutMs,
    maxAttempts: config.promptMaxAttempts,
    prior,
    signal: controller.signal,
    emit: (item) => host.emit(item),
    reuse: (promptId) => host.sourceOutput(promptId),
    pricing: (model) => {
      const entry = catalogueEntry(config, model);
      return { price: entry ?? null, contextTokens: entry?.contextTokens ?? null };
    },
    tokens: tokenCounter,
    stop: (reason) => controller.abort(reason),
    onAttempt: (promptId, attempt, heldMicros) => {
      const next = transition.attemptStarted(host.state(), promptId, attempt, heldMicros);
      if (next) host.apply(next);
    },
    onAttemptSettled: (promptId, spent) => host.apply(transition.attemptSettled(host.state(), promptId, spent)),
    onGroupStart: async (promptIds, at, requestHashes) => {
      host.apply(transition.promptsStarted(host.state(), promptIds, at, requestHashes));
      await record((records) => records.markPromptsRunning(promptIds, at));
    },
    onPromptEnd: async (promptId, outcome) => {
      host.apply(transition.promptEnded(host.state(), promptId, outcome));
      await record((records) => records.finishPrompt(promptId, outcome));
    },
  });
  const result = await runner.run();
  await finishRun(host, endingOf(result, host.now() - startedAt, limitMs));
}

/**
 * The run's spending meter: its budget, and the owner's daily budget held in D1 (a ledger that
 * cannot be reached stops the run as D1 unavailable: spending is never left unchecked).
 */
function spending(host: RunHost, config: Config, controller: AbortController): { meter: SpendingMeter } {
  const { plan } = host.state();
  const cap = config.userDailyBudgetMicros;
  // A plan stored before budgets existed has none.
  const budgetMicros = plan.budgetMicros ?? null;
  const ledger: BudgetLedger = {
    hold: async (request) => {
      try {
        return await host.records().holdDaily(plan.ownerId, cap, request);
      } catch (error) {
        log("error", "D1 daily budget reservation failed", {
          executionId: plan.executionId,
          error: describeError(error),
        });
        controller.abort(databaseUnavailable());
        return 0;
      }
    },
  };
  const limits = {
    budgetMicros,
    minOutputTokens: config.budgetMinOutputTokens,
    onChange: costEvents(
      budgetMicros,
      (item) => host.emit(item),
      () => host.now(),
    ),
    ...(cap > 0 ? { ledger, growStep: Math.ceil(cap / 100) } : {}),
  };
  return { meter: new SpendingMeter(limits, transition.totalCost(host.state())) };
}

/** Records the end in D1 (or owes it), then stores the terminal event; followers then close. */
export async function finishRun(host: RunHost, ending: Ending): Promise<void> {
  const now = host.now();
  const end = transition.finished(host.state(), ending, now);
  let state = host.apply(end.state);
  for (const item of end.events) host.emit(item);
  const snapshot = () => transition.snapshotOf(state, host.progress().outputs, now);
  const written = await writeFinalRecords(host.records(), state, snapshot, {
    ending,
    now,
    promptsOpen: end.promptsOpen,
  });
  state = host.apply(transition.recordsOwed(state, !written));
  host.emit(ending.terminal);
  state = host.apply(transition.terminalStored(state, host.lastEventId()));
  logFinished(state, ending, now, host.lastEventId());
  await host.ended(state);
}
