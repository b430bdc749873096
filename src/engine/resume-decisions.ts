// A fresh life of an execution's object takes its run's prompts up, as a pure decision: what the
// event log shows completed is completed, what was cut mid-attempt starts its next attempt or fails.
import { INTERRUPTED_REASON } from "./attempts";
import { change, endFailed } from "./prompt-decisions";
import type { Decision, LoggedCompletion } from "./run-io";
import { cutAttemptSettled, type RunState, withWholeCosts } from "./run-state";

/**
 * A fresh life of the object takes its prompts up: one the log shows completed is completed (the
 * last life stopped before its state said so); one cut mid-attempt counts that attempt at what it
 * held and goes on with its next attempt, or fails `interrupted` when restarts used its attempts up.
 */
export function resumePrompts(
  state: RunState,
  completions: ReadonlyMap<string, LoggedCompletion>,
  now: number,
): Decision {
  let decision: Decision = { state, effects: [] };
  for (const { id } of state.plan.prompts) {
    const prompt = decision.state.prompts[id];
    if (!prompt || prompt.status === "pending") continue;
    const completion = completions.get(id);
    if (prompt.status !== "running") continue;
    if (completion) {
      const startedAt = prompt.startedAt ?? state.startedAt;
      const completed = withWholeCosts({
        ...prompt,
        status: "completed",
        work: null,
        heldMicros: 0,
        completedAt: startedAt + completion.durationMs,
        usage: completion.usage,
        costMicros: completion.costMicros,
        attempts: Math.max(1, prompt.attempts),
      });
      decision = change(decision, id, completed);
    } else if (prompt.attempts >= state.maxAttempts) {
      const error = {
        code: "interrupted",
        message: `The run was interrupted ${prompt.attempts} times (its worker restarted) and this prompt has no attempts left`,
      };
      decision = change(decision, id, { ...cutAttemptSettled(prompt), work: null });
      decision = endFailed({ ...decision, effects: decision.effects }, id, error, now);
    } else {
      const restartReason = prompt.attempts > 0 ? INTERRUPTED_REASON : null;
      decision = change(decision, id, { ...cutAttemptSettled(prompt), work: null, restartReason });
    }
  }
  return decision;
}
