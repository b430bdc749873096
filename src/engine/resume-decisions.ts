// A fresh life of an execution's object takes its run's prompts up, as a pure decision: what the
// event log shows completed is completed, what was cut mid-attempt starts its next attempt or fails.
import { event } from "../events/types";
import { settleStep } from "./agent-decisions";
import { type AgentCall, EVENT_OUTPUT_MAX_CHARS, INTERRUPTED_MESSAGE, type ToolResult } from "./agent-state";
import { INTERRUPTED_REASON } from "./attempts";
import { change, endFailed } from "./prompt-decisions";
import type { Decision, LoggedCompletion, RunEffect } from "./run-io";
import { cutAttemptSettled, type PromptState, type RunState, withNestedCost, withWholeCosts } from "./run-state";

/** What the object stores of tool calls apart from the state: results, and which `tool.completed` the log holds. */
export interface StoredCalls {
  results: ReadonlyMap<string, ToolResult>;
  logged: ReadonlySet<string>;
}

/**
 * A fresh life of the object takes its prompts up: one the log shows completed is completed (the
 * last life stopped before its state said so); one cut mid-attempt counts that attempt at what it
 * held and goes on with its next attempt, or fails `interrupted` when restarts used its attempts up.
 */
export function resumePrompts(
  state: RunState,
  completions: ReadonlyMap<string, LoggedCompletion>,
  now: number,
  stored: StoredCalls = { results: new Map(), logged: new Set() },
): Decision {
  let decision: Decision = { state, effects: [] };
  for (const { id } of state.plan.prompts) {
    const prompt = decision.state.prompts[id];
    if (!prompt || prompt.status === "pending") continue;
    if (prompt.work === "tooling") {
      decision = resumeCalls(decision, id, prompt, stored, now);
      continue;
    }
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

/**
 * An agent step's calls that were running when the object died (SPEC §12, at most once): one whose
 * result is stored is never run again (its `tool.completed` goes out if the log lacks it); one without
 * runs again only when its tool may (idempotent or read-only), else it is `interrupted` and the model
 * is told so. An `assistant:` call is "rerunnable": its nested execution's id is stored in the call
 * before it starts, so "running it again" waits for that same execution and takes its output.
 */
function resumeCalls(decision: Decision, promptId: string, prompt: PromptState, stored: StoredCalls, now: number) {
  const effects: RunEffect[] = [];
  // A stored result of a nested execution whose end the state had not taken yet: its cost counts now.
  let nestedCostMicros = 0;
  const calls = (prompt.agent?.calls ?? []).map((call): AgentCall => {
    if (call.status !== "running") return call;
    const ids = { promptId, callId: call.callId };
    const result = stored.results.get(call.callId);
    if (result) {
      nestedCostMicros += result.costMicros ?? 0;
      if (!stored.logged.has(call.callId)) {
        const output = result.output.slice(0, EVENT_OUTPUT_MAX_CHARS);
        const data = { ...ids, isError: result.isError, output, durationMs: result.durationMs };
        effects.push({ type: "emit", event: event("tool.completed", data) });
      }
      return { ...call, status: result.isError ? "failed" : "completed", isError: result.isError, completedAt: now };
    }
    if (call.rerunnable) {
      effects.push({ type: "tool", ...ids });
      return call;
    }
    const durationMs = now - (call.startedAt ?? now);
    const data = { ...ids, isError: true, output: INTERRUPTED_MESSAGE, durationMs, interrupted: true as const };
    effects.push({ type: "emit", event: event("tool.completed", data) });
    return { ...call, status: "interrupted", isError: true, completedAt: now };
  });
  const agent = prompt.agent ? { ...prompt.agent, calls } : prompt.agent;
  const costed = withNestedCost({ ...prompt, work: null, ...(agent ? { agent } : {}) }, nestedCostMicros);
  const next = change(decision, promptId, costed, ...effects);
  return settleStep(next, promptId);
}
