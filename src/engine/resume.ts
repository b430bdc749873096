// A restarted object picks its run up where it stopped: prompts that ended keep their outcome (a
// completed one is never sent to the model again), prompts cut mid-answer start their next attempt,
// the rest run. Pure: from the stored state and what the event log holds.
import type { Usage } from "../events/types";
import type { EndedStep, InterruptedStep, PriorProgress } from "./chain-runner";
import { cutAttemptSettled, promptEnded, type SessionState } from "./state";

/** A `prompt.completed` the event log holds (it is stored before any client sees it). */
export interface LoggedCompletion {
  output: string;
  usage: Usage | null;
  costMicros: number | null;
  durationMs: number;
}

export interface Resumption {
  /** The state with every logged completion applied (the object may have stopped before recording one). */
  state: SessionState;
  prior: PriorProgress;
}

export function resumeFrom(
  state: SessionState,
  completions: ReadonlyMap<string, LoggedCompletion>,
  outputs: ReadonlyMap<string, string>,
): Resumption {
  const ended = new Map<string, EndedStep>();
  const interrupted = new Map<string, InterruptedStep>();
  let next = state;
  for (const prompt of state.plan.prompts) {
    const step = next.prompts[prompt.id];
    if (!step) continue;
    const completion = completions.get(prompt.id);
    if (step.status === "running" && completion) {
      const startedAt = step.startedAt ?? state.startedAt;
      next = promptEnded(next, prompt.id, {
        status: "completed",
        output: completion.output,
        error: null,
        startedAt,
        completedAt: startedAt + completion.durationMs,
        usage: completion.usage,
        costMicros: completion.costMicros,
        estimatedCostMicros: null,
        overshootMicros: null,
        attempts: Math.max(1, step.attempts),
        requestHash: step.requestHash,
        reused: false,
      });
    }
    let settled = next.prompts[prompt.id] ?? step;
    if (settled.status === "running") {
      settled = cutAttemptSettled(settled);
      next = { ...next, prompts: { ...next.prompts, [prompt.id]: settled } };
      interrupted.set(prompt.id, {
        attempts: settled.attempts,
        startedAt: settled.startedAt,
        spent: {
          cost: settled.costMicros ?? 0,
          estimate: settled.estimatedCostMicros ?? 0,
          overshoot: settled.overshootMicros ?? 0,
        },
      });
    } else if (settled.status !== "pending") {
      const output = completion?.output ?? outputs.get(prompt.id) ?? "";
      ended.set(prompt.id, {
        status: settled.status,
        output,
        usage: settled.usage,
        costMicros: settled.costMicros,
        estimatedCostMicros: settled.estimatedCostMicros,
        overshootMicros: settled.overshootMicros,
        error: settled.error,
        requestHash: settled.requestHash,
        reused: settled.reused,
      });
    }
  }
  return { state: next, prior: { ended, interrupted } };
}
