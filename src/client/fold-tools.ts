// Folds an agent step's tool events (SPEC §12) into that prompt's list of tool calls, in call order.
// Pure, like the rest of the fold: each function returns a new list and never changes the one it is given.
import type { ExecutionEvent, ToolDecisionBy } from "../events/types";
import type { ToolCallStatus } from "../schemas/statuses";

/** One tool call of an agent step as a UI shows it (the record's `toolCalls` entry, from the events). */
export interface ToolCallState {
  callId: string;
  /** `<server>.<tool>` or `assistant:<toolId>`. */
  name: string;
  /** As parsed from the model's JSON (the raw text when it was not JSON). */
  arguments: unknown;
  /**
   * `running` from `tool.called` (or an approval) until `tool.completed`; `waiting` for a person's
   * decision; `denied` has no result; `interrupted`: the run ended while the call ran (see `settleToolCalls`).
   */
  status: ToolCallStatus;
  decision?: "approve" | "deny";
  /** The deciding user's id, `"timeout"` or `"system"`. */
  decidedBy?: ToolDecisionBy;
  reason?: string;
  isError?: boolean;
  /** The tool's text result (at most 16 KB from the event; the record has it whole). */
  output?: string;
  durationMs?: number;
}

/** The four tool events. */
export type ToolEvent = Extract<ExecutionEvent, { type: `tool.${string}` }>;

/** `calls` with the call `callId` changed (unchanged when there is no such call). */
function withCall(
  calls: readonly ToolCallState[],
  callId: string,
  change: (call: ToolCallState) => ToolCallState,
): ToolCallState[] {
  return calls.map((call) => (call.callId === callId ? change(call) : call));
}

/** A prompt's tool calls after one of its tool events. */
export function foldToolCalls(calls: readonly ToolCallState[], event: ToolEvent): ToolCallState[] {
  const known = calls.some((call) => call.callId === event.data.callId);
  switch (event.type) {
    case "tool.called": {
      // Ids are unique per execution: a call already listed keeps what later events told about it.
      if (known) return [...calls];
      const { callId, name, arguments: args } = event.data;
      return [...calls, { callId, name, arguments: args, status: "running" }];
    }
    case "tool.approval_requested": {
      const { callId, name, arguments: args } = event.data;
      // Normally after its tool.called; listed here too if that event was never seen.
      if (!known) return [...calls, { callId, name, arguments: args, status: "waiting" }];
      return withCall(calls, callId, (call) => ({ ...call, name, arguments: args, status: "waiting" }));
    }
    case "tool.decided": {
      const { decision, by, reason } = event.data;
      return withCall(calls, event.data.callId, (call) => ({
        ...call,
        // An approved call runs next; a denied one never runs and has no result.
        status: decision === "approve" ? "running" : "denied",
        decision,
        decidedBy: by,
        ...(reason === undefined ? {} : { reason }),
      }));
    }
    case "tool.completed": {
      const { isError, output, durationMs, interrupted } = event.data;
      return withCall(calls, event.data.callId, (call) => ({
        ...call,
        status: interrupted ? "interrupted" : isError ? "failed" : "completed",
        isError,
        output,
        durationMs,
      }));
    }
    default:
      return event satisfies never;
  }
}

/**
 * The calls once their prompt or the run has ended: a call still waiting was never run and never will
 * be, so it ends `denied` (with no `decision`: nobody decided it); a call still running may or may not
 * have taken effect, so it ends `interrupted`, as SPEC §12 names a call a restart cut.
 */
export function settleToolCalls(calls: readonly ToolCallState[]): ToolCallState[] {
  return calls.map((call) =>
    call.status === "waiting"
      ? { ...call, status: "denied" }
      : call.status === "running"
        ? { ...call, status: "interrupted" }
        : call,
  );
}

export const isWaiting = (call: ToolCallState): boolean => call.status === "waiting";
