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
 * Every ended prompt is recorded again (the last life may have stopped before D1 heard of it).
 */
export function resumePrompts(
  state: RunState,
  completions: ReadonlyMap<string, LoggedCompletion>,
  now: number,
): Decision {
  let decision: Decision = { state, effects: [] };
  const ended: string[] = [];
  for (const { id } of state.plan.prompts) {
    const prompt = decision.state.prompts[id];
    if (!prompt || prompt.status === "pending") continue;
    const completion = completions.get(id);
    if (prompt.status !== "running") {
      ended.push(id);
    } else if (completion) {
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
      ended.push(id);
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
  if (ended.length > 0 && !state.owesSnapshot)
    decision = {
      ...decision,
      effects: [
        { type: "record", write: { kind: "promptsEnded", promptIds: ended }, reportAs: "progress" },
        ...decision.effects,
      ],
    };
  return decision;
}
