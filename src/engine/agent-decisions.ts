// An agent step's course, as pure decisions (SPEC §12): a turn that asked for tools records its calls
// (each `tool.called`, then run, sent back as invalid, denied by a limit, or waiting for a person),
// a decision or a result settles a call, and once every call of the turn is settled the next turn is
// prepared. Each call's state is stored before its event goes out (the shell saves, then emits).
import { event } from "../events/types";
import { DEFAULT_MAX_STEPS } from "../schemas/tool";
import {
  type AgentCall,
  type AgentState,
  EVENT_OUTPUT_MAX_CHARS,
  NEW_AGENT,
  runningCalls,
  TOO_MANY_WAITING_REASON,
  type ToolResult,
  waitingCalls,
} from "./agent-state";
import type { AgentTurn, Decision, RunEffect } from "./run-io";
import { type PromptState, type RunState, withNestedCost } from "./run-state";

type Change = (decision: Decision, promptId: string, prompt: PromptState, ...effects: RunEffect[]) => Decision;
type Fail = (decision: Decision, promptId: string, error: { code: string; message: string }, now: number) => Decision;

/** The prompt decisions an agent step leans on (prompt-decisions.ts), passed in to keep the modules apart. */
export interface StepOps {
  change: Change;
  fail: Fail;
}

const agentOf = (prompt: PromptState): AgentState => prompt.agent ?? NEW_AGENT;

/** The step's turn asked for tool calls: record them and start what may start. */
export function turnAskedForTools(
  decision: Decision,
  promptId: string,
  prompt: PromptState,
  turn: AgentTurn,
  ops: StepOps,
  now: number,
): Decision {
  const planned = decision.state.plan.prompts.find((item) => item.id === promptId);
  const maxSteps = planned?.maxSteps ?? DEFAULT_MAX_STEPS;
  const agent = agentOf(prompt);
  const withText: PromptState = { ...prompt, agent: { ...agent, turnTexts: [...agent.turnTexts, turn.text] } };
  if (agent.turn >= maxSteps) {
    // The last allowed turn asked for more: its calls are not run.
    const error = {
      code: "max_steps",
      message: `The agent step used its ${maxSteps} model turns and still asked for tools`,
    };
    return ops.fail(ops.change(decision, promptId, withText), promptId, error, now);
  }
  const effects: RunEffect[] = [];
  const calls: AgentCall[] = turn.calls.map((resolved, index) => {
    const call: AgentCall = {
      callId: `${planned?.ordinal ?? 0}-${agent.turn}-${index + 1}`,
      modelCallId: resolved.modelCallId,
      turn: agent.turn,
      name: resolved.name,
      functionName: resolved.functionName,
      rawArguments: resolved.rawArguments,
      arguments: resolved.arguments,
      status: "running",
      rerunnable: resolved.rerunnable,
    };
    const ids = { promptId, callId: call.callId };
    effects.push(emit(event("tool.called", { ...ids, name: call.name, arguments: call.arguments })));
    if (resolved.invalid !== null) {
      effects.push(emit(event("tool.completed", { ...ids, isError: true, output: resolved.invalid, durationMs: 0 })));
      return { ...call, status: "failed", isError: true, resultNote: resolved.invalid, completedAt: now };
    }
    if (resolved.needsApproval && turn.wait === "refused") {
      const denial = { decision: "deny" as const, reason: TOO_MANY_WAITING_REASON, by: "system" };
      effects.push(emit(event("tool.decided", { ...ids, ...denial })));
      return {
        ...call,
        status: "denied",
        decision: "deny",
        decidedBy: "system",
        reason: TOO_MANY_WAITING_REASON,
        completedAt: now,
      };
    }
    if (resolved.needsApproval) {
      effects.push(emit(event("tool.approval_requested", { ...ids, name: call.name, arguments: call.arguments })));
      return { ...call, status: "waiting", waitingSince: now };
    }
    effects.push({ type: "tool", ...ids });
    return { ...call, startedAt: now };
  });
  const recorded: PromptState = {
    ...withText,
    work: null,
    agent: { ...agentOf(withText), calls: [...agent.calls, ...calls] },
  };
  let next = ops.change(decision, promptId, recorded, ...effects);
  if (turn.wait === "allowed") next = { ...next, state: { ...next.state, accountWaiting: true } };
  return settleStep(next, promptId);
}

/** A waiting call decided: approved ones run, denied ones go back to the model as declined. */
export function callDecided(
  state: RunState,
  input: { callId: string; decision: "approve" | "deny"; reason?: string; by: string },
  ops: StepOps,
  now: number,
): Decision | null {
  const found = findCall(state, input.callId);
  if (found?.call.status !== "waiting") return null;
  const { promptId, prompt } = found;
  const approved = input.decision === "approve";
  const decided: AgentCall = {
    ...found.call,
    status: approved ? "running" : "denied",
    decision: input.decision,
    decidedBy: input.by,
    ...(input.reason ? { reason: input.reason } : {}),
    ...(approved ? { startedAt: now } : { completedAt: now }),
  };
  const data = {
    promptId,
    callId: input.callId,
    decision: input.decision,
    ...(input.reason ? { reason: input.reason } : {}),
    by: input.by,
  };
  const effects: RunEffect[] = [emit(event("tool.decided", data))];
  if (approved) effects.push({ type: "tool", promptId, callId: input.callId });
  const next = ops.change({ state, effects: [] }, promptId, withCall(prompt, decided), ...effects);
  return settleStep(next, promptId);
}

/** A call ended: its result is stored (or the run's stop cut it). */
export function toolEnded(
  state: RunState,
  input: { promptId: string; callId: string; result: ToolResult | null },
  ops: StepOps,
  now: number,
): Decision | null {
  const found = findCall(state, input.callId);
  if (found?.call.status !== "running") return null;
  const { promptId, prompt, call } = found;
  if (!input.result) {
    const cut: AgentCall = { ...call, status: "interrupted", completedAt: now };
    return settleStep(ops.change({ state, effects: [] }, promptId, withCall(prompt, cut)), promptId);
  }
  const { isError, output, durationMs } = input.result;
  const ended: AgentCall = { ...call, status: isError ? "failed" : "completed", isError, completedAt: now };
  const costed = withNestedCost(withCall(prompt, ended), input.result.costMicros);
  const completed = event("tool.completed", {
    promptId,
    callId: call.callId,
    isError,
    output: output.length > EVENT_OUTPUT_MAX_CHARS ? output.slice(0, EVENT_OUTPUT_MAX_CHARS) : output,
    durationMs,
  });
  return settleStep(ops.change({ state, effects: [] }, promptId, costed, emit(completed)), promptId);
}

/** An `assistant:` call's nested execution is stored before it starts (once: a restart reuses it). */
export function nestedStarted(
  state: RunState,
  input: { callId: string; executionId: string; budgetMicros: number | null },
): Decision | null {
  const found = findCall(state, input.callId);
  if (found?.call.status !== "running" || found.call.nested) return null;
  const call: AgentCall = {
    ...found.call,
    nested: { executionId: input.executionId, budgetMicros: input.budgetMicros },
  };
  return withPrompt({ state, effects: [] }, found.promptId, withCall(found.prompt, call));
}

/** Calls waiting longer than APPROVAL_TIMEOUT_MS are denied, by `timeout`. */
export function approvalTimeouts(state: RunState, ops: StepOps, now: number): Decision | null {
  const due = Object.values(state.prompts).flatMap((prompt) =>
    waitingCalls(prompt.agent).filter((call) => (call.waitingSince ?? now) + state.approvalTimeoutMs <= now),
  );
  if (due.length === 0) return null;
  return due.reduce<Decision>(
    (decision, call) => {
      const decided = callDecided(decision.state, { callId: call.callId, decision: "deny", by: "timeout" }, ops, now);
      return decided ? { state: decided.state, effects: [...decision.effects, ...decided.effects] } : decision;
    },
    { state, effects: [] },
  );
}

/** When the earliest waiting call times out (null: none waits). */
export function nextApprovalTimeout(state: RunState): number | null {
  const since = Object.values(state.prompts).flatMap((prompt) =>
    waitingCalls(prompt.agent).map((call) => call.waitingSince ?? 0),
  );
  return since.length === 0 ? null : Math.min(...since) + state.approvalTimeoutMs;
}

/**
 * Where the step stands after a change to its calls: tools running (`tooling`), waiting for a person
 * (`waiting`), or every call of the turn settled: the next turn is prepared (unless the run stops).
 */
export function settleStep(decision: Decision, promptId: string): Decision {
  const prompt = decision.state.prompts[promptId];
  if (!prompt?.agent) return decision;
  const running = runningCalls(prompt.agent).length > 0;
  const waiting = waitingCalls(prompt.agent).length > 0;
  const status = waiting ? ("waiting" as const) : ("running" as const);
  if (running || waiting)
    return withPrompt(decision, promptId, { ...prompt, status, work: running ? "tooling" : null });
  if (decision.state.stopping) return withPrompt(decision, promptId, { ...prompt, status, work: null });
  const agent = { ...prompt.agent, turn: prompt.agent.turn + 1 };
  const next = withPrompt(decision, promptId, { ...prompt, status, work: "preparing", attempts: 0, agent });
  const call = { promptId, attempt: 1, delay: null, mayReuse: false };
  return { ...next, effects: [...next.effects, { type: "prepare", calls: [call] }] };
}

/** The run ends: calls still waiting are denied by the system, calls still running were cut. */
export function endedCalls(agent: AgentState | undefined, now: number): AgentState | undefined {
  if (!agent) return agent;
  return {
    ...agent,
    calls: agent.calls.map((call) =>
      call.status === "waiting"
        ? { ...call, status: "denied", decision: "deny", decidedBy: "system", completedAt: now }
        : call.status === "running"
          ? { ...call, status: "interrupted", completedAt: now }
          : call,
    ),
  };
}

const emit = (data: ReturnType<typeof event>): RunEffect => ({ type: "emit", event: data });

function withPrompt(decision: Decision, promptId: string, prompt: PromptState): Decision {
  return { ...decision, state: { ...decision.state, prompts: { ...decision.state.prompts, [promptId]: prompt } } };
}

const withCall = (prompt: PromptState, call: AgentCall): PromptState => {
  const agent = agentOf(prompt);
  return {
    ...prompt,
    agent: { ...agent, calls: agent.calls.map((item) => (item.callId === call.callId ? call : item)) },
  };
};

/** The call `callId` and its prompt. */
export function findCall(state: RunState, callId: string) {
  for (const [promptId, prompt] of Object.entries(state.prompts)) {
    const call = prompt.agent?.calls.find((item) => item.callId === callId);
    if (call) return { promptId, prompt, call };
  }
  return null;
}
