// What a prompt ended with, and a run's whole final state: the domain's records, which the durable
// layer hands to D1 (db/ maps them to rows).
import type { ErrorInfo, Usage } from "../events/types";
import type { FinalExecutionStatus, FinalPromptStatus } from "../schemas/statuses";
import { PENDING_PROMPT, type PromptState, type RunState, totalCost } from "./run-state";

/** A prompt's end, whatever it was. */
export interface PromptOutcome {
  status: FinalPromptStatus;
  output: string;
  error: ErrorInfo | null;
  startedAt: number | null;
  completedAt: number;
  /** Summed over every attempt. */
  usage: Usage | null;
  /** Micro-dollars at the model's price: the usage, or the estimate for an attempt never reported (null: no price). */
  costMicros: number | null;
  /** The tokenizer's estimate of that cost as tokens streamed (null: not counted). */
  estimatedCostMicros: number | null;
  /** What providers billed past the reservations of its calls (null: nothing was reserved). */
  overshootMicros: number | null;
  attempts: number;
  /** Hash of the rendered request (null when it never rendered, e.g. skipped). */
  requestHash: string | null;
  /** Copied from a rerun's source, not sent to the model. */
  reused: boolean;
}

/** An ended prompt's outcome from its state and its output (the object keeps outputs apart). */
export function outcomeOf(prompt: PromptState, output: string, now: number): PromptOutcome {
  const status = prompt.status === "pending" || prompt.status === "running" ? "skipped" : prompt.status;
  return {
    status,
    output,
    error: prompt.error,
    startedAt: prompt.startedAt,
    completedAt: prompt.completedAt ?? now,
    usage: prompt.usage,
    costMicros: prompt.costMicros,
    estimatedCostMicros: prompt.estimatedCostMicros,
    overshootMicros: prompt.overshootMicros,
    attempts: prompt.attempts,
    requestHash: prompt.requestHash,
    reused: prompt.reused,
  };
}

/** Everything the records should hold about an ended run (written whole when earlier writes were missed). */
export interface RunSnapshot {
  status: FinalExecutionStatus;
  error: ErrorInfo | null;
  costMicros: number;
  startedAt: number | null;
  completedAt: number;
  prompts: ({ promptId: string } & PromptOutcome)[];
}

/** The final records of an ended run, with outputs taken from the event log. */
export function snapshotOf(state: RunState, outputs: ReadonlyMap<string, string>, now: number): RunSnapshot {
  return {
    status: state.status as FinalExecutionStatus,
    error: state.error,
    costMicros: totalCost(state),
    startedAt: state.startedAt,
    completedAt: state.finishedAt ?? now,
    prompts: state.plan.prompts.map((prompt) => ({
      promptId: prompt.id,
      ...outcomeOf(state.prompts[prompt.id] ?? PENDING_PROMPT, outputs.get(prompt.id) ?? "", state.finishedAt ?? now),
    })),
  };
}
