// An agent step's model turns (SPEC §12): the request of its next turn (its tools, and the conversation
// rebuilt from what is stored: each earlier turn's text and calls, each call's result or why it has
// none), and a turn's tool calls resolved against its tools (arguments parsed and checked, approval and
// restart policy looked up) before any decision. No tool runs here.

import type { ToolArguments } from "../events/types";
import type { JsonSchema } from "../mcp/arguments";
import { parseArguments } from "../mcp/arguments";
import type { ChatMessage, ChatRequest, ToolCall } from "../models/types";
import {
  type AgentCall,
  type AgentState,
  declinedMessage,
  INTERRUPTED_MESSAGE,
  type ResolvedCall,
  type ToolResult,
} from "./agent-state";
import type { PlannedPrompt } from "./plan";
import type { AgentTurn } from "./run-io";

/** One tool a step may call, as its model sees it and as the run treats it. */
export interface StepTool {
  /** `<server>.<tool>` or `assistant:<toolId>`. */
  name: string;
  functionName: string;
  description: string;
  inputSchema: JsonSchema;
  needsApproval: boolean;
  /** A call cut by a restart may be sent again. */
  rerunnable: boolean;
}

/** What a step's turns need from outside: its tools, stored results, and the account's say on waiting. */
export interface AgentTools {
  /** The step's tools (a server that cannot be reached contributes none). */
  forStep(prompt: PlannedPrompt, signal: AbortSignal): Promise<StepTool[]>;
  /** A call's stored result. */
  result(callId: string): ToolResult | undefined;
  /** The owner's account counts the run as waiting (no slot held); false past MAX_WAITING_EXECUTIONS. */
  beginWaiting(): Promise<boolean>;
}

/** What the model is told a call gave: its result, or why it has none. */
export function callResultText(call: AgentCall, result: ToolResult | undefined): string {
  if (call.resultNote !== undefined) return call.resultNote;
  if (call.status === "denied")
    return declinedMessage(call.decidedBy === "timeout" ? "nobody decided in time" : call.reason);
  if (call.status === "interrupted" || !result) return INTERRUPTED_MESSAGE;
  return result.output;
}

/** The request of the step's next turn: its tools, and its conversation so far. */
export function agentRequest(
  base: ChatRequest,
  agent: AgentState,
  tools: readonly StepTool[],
  result: (callId: string) => ToolResult | undefined,
): ChatRequest {
  const messages: ChatMessage[] = [];
  if (base.systemContext) messages.push({ role: "system", content: base.systemContext });
  messages.push({ role: "user", content: base.prompt });
  agent.turnTexts.forEach((text, index) => {
    const turn = index + 1;
    const calls = agent.calls.filter((call) => call.turn === turn);
    const toolCalls: ToolCall[] = calls.map((call) => ({
      id: call.modelCallId,
      name: call.functionName,
      arguments: call.rawArguments,
    }));
    messages.push({ role: "assistant", content: text === "" ? null : text, toolCalls });
    for (const call of calls)
      messages.push({ role: "tool", toolCallId: call.modelCallId, content: callResultText(call, result(call.callId)) });
  });
  return {
    ...base,
    messages,
    tools: tools.map((tool) => ({
      name: tool.functionName,
      description: tool.description,
      parameters: tool.inputSchema,
    })),
  };
}

/** A turn's calls resolved against the step's tools; the account is asked to let the run wait when one needs a person. */
export async function resolveTurn(
  text: string,
  calls: readonly ToolCall[],
  tools: readonly StepTool[],
  beginWaiting: () => Promise<boolean>,
): Promise<AgentTurn> {
  const byFunction = new Map(tools.map((tool) => [tool.functionName, tool]));
  const resolved = calls.map((call): ResolvedCall => {
    const tool = byFunction.get(call.name);
    const parsed = tool ? parseArguments(call.arguments, tool.inputSchema, call.name) : null;
    const base = {
      modelCallId: call.id,
      functionName: call.name,
      name: tool?.name ?? "",
      rawArguments: call.arguments,
      arguments: parsed?.ok ? parsed.value : asArguments(call.arguments),
      needsApproval: tool?.needsApproval ?? false,
      rerunnable: tool?.rerunnable ?? false,
    };
    if (!tool) {
      const known = tools.map((item) => item.functionName).join(", ") || "none";
      return { ...base, invalid: `There is no tool named ${call.name}. The tools are: ${known}.` };
    }
    return { ...base, invalid: parsed && !parsed.ok ? parsed.message : null };
  });
  const asks = resolved.some((call) => call.invalid === null && call.needsApproval);
  const wait = !asks ? "none" : (await beginWaiting()) ? "allowed" : "refused";
  return { text, calls: resolved, wait };
}

/** The arguments as the JSON object they parse to, else the text the model wrote. */
function asArguments(raw: string): ToolArguments {
  try {
    const value: unknown = raw.trim() === "" ? {} : JSON.parse(raw);
    return typeof value === "object" && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : raw;
  } catch {
    return raw;
  }
}
