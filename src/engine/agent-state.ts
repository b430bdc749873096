// An agent step's part of the run's stored state (SPEC §12): its model turns' text and every tool call
// it asked for, with each call's status and decision. Results live apart (the object's storage, by
// call id): a result can be large, and the state is rewritten after every decision.
import type { ToolArguments } from "../events/types";
import type { ToolCallStatus } from "../schemas/statuses";
import type { PlannedPrompt } from "./plan";

export interface AgentCall {
  /** The execution's own id for the call (unique in the execution; the API and events name it). */
  callId: string;
  /** The id the model gave it (the conversation's `tool_call_id`). */
  modelCallId: string;
  /** The model turn that asked for it (1, 2 …). */
  turn: number;
  /** `<server>.<tool>` or `assistant:<toolId>` ("" when the model named no tool of the step). */
  name: string;
  /** The function name the model used. */
  functionName: string;
  /** The arguments as the model wrote them (sent back in the conversation). */
  rawArguments: string;
  /** As parsed (the raw text when it was not JSON). */
  arguments: ToolArguments;
  status: ToolCallStatus;
  /** A call cut by a restart may be sent again (the server annotates it idempotent or read-only). */
  rerunnable: boolean;
  decision?: "approve" | "deny";
  decidedBy?: string;
  reason?: string;
  isError?: boolean;
  /** A call never run: what the model was told instead (bad JSON, a schema failure, no such tool). */
  resultNote?: string;
  /** Since when it waits for a decision (ms). */
  waitingSince?: number;
  startedAt?: number;
  completedAt?: number;
  /**
   * An `assistant:` call's nested execution, stored before it is started (a restart finds it and waits
   * for it rather than start another), with the budget it was given (null: none).
   */
  nested?: { executionId: string; budgetMicros: number | null };
}

export interface AgentState {
  /** Model turns started (1, 2 …). */
  turn: number;
  /** The text of each turn that ended with tool calls, in order: the step's output before the current turn. */
  turnTexts: string[];
  calls: AgentCall[];
}

/** A call as a turn's effect resolved it against the step's tools, before any decision. */
export interface ResolvedCall {
  modelCallId: string;
  functionName: string;
  name: string;
  rawArguments: string;
  arguments: ToolArguments;
  /** Not run: the model gets this message as the tool's result (bad JSON, a schema failure, no such tool). */
  invalid: string | null;
  needsApproval: boolean;
  rerunnable: boolean;
}

/** A call's result as stored apart from the state. */
export interface ToolResult {
  isError: boolean;
  output: string;
  durationMs: number;
  /** An `assistant:` call's nested execution, and what it cost (added to the step's cost). */
  executionId?: string;
  costMicros?: number | null;
}

/** At most this much of a result goes in `tool.completed` (the record has it whole). */
export const EVENT_OUTPUT_MAX_CHARS = 16 * 1024;

export const isAgentStep = (prompt: Pick<PlannedPrompt, "tools"> | undefined): boolean =>
  (prompt?.tools?.length ?? 0) > 0;

export const NEW_AGENT: AgentState = { turn: 0, turnTexts: [], calls: [] };

/** What the model is told when a call was not run or not finished. */
export const declinedMessage = (reason: string | undefined) =>
  `The person declined this tool call${reason ? `: ${reason}` : "."} Do not call it again; answer without it.`;
export const INTERRUPTED_MESSAGE =
  "The tool call was interrupted (the service restarted while it ran): it may or may not have taken effect.";
export const TOO_MANY_WAITING_REASON = "too_many_waiting";

/** The calls of `agent` that wait for a decision. */
export const waitingCalls = (agent: AgentState | undefined): AgentCall[] =>
  agent?.calls.filter((call) => call.status === "waiting") ?? [];

/** The calls of `agent` that run now. */
export const runningCalls = (agent: AgentState | undefined): AgentCall[] =>
  agent?.calls.filter((call) => call.status === "running") ?? [];
