// What the record says of an agent step's tool calls (SPEC §12): each prompt's calls with their
// decisions and results (whole), and the calls that wait for a person, at the record's top level.
import type { PendingToolCall, ToolCallRecord } from "../events/types";
import type { AgentCall, ToolResult } from "./agent-state";
import type { RunState } from "./run-state";

/** One call as the record and the decision endpoint show it. */
export function toolCallRecord(call: AgentCall, result: ToolResult | undefined): ToolCallRecord {
  const output = result?.output ?? call.resultNote;
  const executionId = call.nested?.executionId ?? result?.executionId;
  return {
    callId: call.callId,
    name: call.name,
    arguments: call.arguments,
    status: call.status,
    ...(call.decision ? { decision: call.decision } : {}),
    ...(call.decidedBy ? { decidedBy: call.decidedBy } : {}),
    ...(call.reason ? { reason: call.reason } : {}),
    ...(call.isError !== undefined ? { isError: call.isError } : {}),
    ...(output !== undefined ? { output } : {}),
    ...(call.startedAt !== undefined ? { startedAt: call.startedAt } : {}),
    ...(call.completedAt !== undefined ? { completedAt: call.completedAt } : {}),
    ...(executionId ? { executionId } : {}),
  };
}

/** Each agent step's calls, by prompt id (prompts without calls are left out). */
export function toolCallsByPrompt(
  state: RunState,
  result: (callId: string) => ToolResult | undefined,
): Record<string, ToolCallRecord[]> {
  const byPrompt: Record<string, ToolCallRecord[]> = {};
  for (const [promptId, prompt] of Object.entries(state.prompts)) {
    const calls = prompt.agent?.calls ?? [];
    if (calls.length > 0) byPrompt[promptId] = calls.map((call) => toolCallRecord(call, result(call.callId)));
  }
  return byPrompt;
}

/** The calls waiting for a person's decision, in the plan's order. */
export function pendingToolCalls(state: RunState): PendingToolCall[] {
  return state.plan.prompts.flatMap((planned) =>
    (state.prompts[planned.id]?.agent?.calls ?? [])
      .filter((call) => call.status === "waiting")
      .map((call) => ({ promptId: planned.id, callId: call.callId, name: call.name, arguments: call.arguments })),
  );
}
