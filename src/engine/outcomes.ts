// The run's record, as the execution's object hands it to D1: its header, each prompt as it runs and
// how far it got, from the stored state and the outputs the object keeps apart. db/ writes it.
import { type ExecutionRecordWrite, lastOutputPreview, type PromptRecordWrite } from "../db/execution-records";
import { type ExecutionSummary, inputsPreview } from "../db/execution-summary";
import { agentStepOf } from "../schemas/tool";
import type { PlannedPrompt } from "./plan";
import { PENDING_PROMPT, type PromptState, type RunState, totalCost } from "./run-state";

/** A prompt's record from its state and its output; an ended run's open prompts were skipped. */
function promptRecord(prompt: PromptState, output: string, ended: boolean): Omit<PromptRecordWrite, keyof Planned> {
  const open = prompt.status === "pending" || prompt.status === "running";
  return {
    status: ended && open ? "skipped" : prompt.status,
    output,
    error: prompt.error,
    startedAt: prompt.startedAt,
    completedAt: prompt.completedAt,
    usage: prompt.usage,
    costMicros: prompt.costMicros,
    estimatedCostMicros: prompt.estimatedCostMicros,
    overshootMicros: prompt.overshootMicros,
    attempts: prompt.attempts,
    requestHash: prompt.requestHash,
    reused: prompt.reused,
  };
}

type Planned = Pick<
  PromptRecordWrite,
  | "promptId"
  | "name"
  | "position"
  | "ordinal"
  | "model"
  | "systemContext"
  | "content"
  | "temperature"
  | "maxTokens"
  | "tools"
  | "maxSteps"
>;

/** An agent step's tools and cap on model turns as the record keeps them (null for an ordinary prompt). */
function agentStepColumns(prompt: PlannedPrompt): Pick<PromptRecordWrite, "tools" | "maxSteps"> {
  const step = agentStepOf(prompt);
  return { tools: step?.tools ?? null, maxSteps: step?.maxSteps ?? null };
}

/**
 * The whole record of the run as it stands: when it starts (every prompt pending) and, once it
 * ended, with each prompt's outcome and output.
 */
export function recordOf(
  state: RunState,
  outputs: ReadonlyMap<string, string>,
  recordKey: string | null = null,
): ExecutionRecordWrite {
  const { plan } = state;
  const ended = state.finishedAt !== null;
  const header = plan.header
    ? {
        ...plan.header,
        ownerId: plan.ownerId,
        toolId: plan.toolId,
        toolName: plan.toolName,
        onPromptError: plan.onPromptError,
        sourceExecutionId: plan.sourceExecutionId,
        fromPromptId: plan.fromPromptId,
        budgetMicros: plan.budgetMicros,
      }
    : null;
  return {
    executionId: plan.executionId,
    header,
    recordKey,
    status: state.status,
    error: state.error,
    costMicros: ended ? totalCost(state) : null,
    startedAt: state.status === "pending" ? null : state.startedAt,
    completedAt: state.finishedAt,
    prompts: plan.prompts.map((prompt) => ({
      promptId: prompt.id,
      name: prompt.name,
      position: prompt.position,
      ordinal: prompt.ordinal,
      model: prompt.model,
      systemContext: prompt.systemContext,
      content: prompt.content,
      temperature: prompt.temperature,
      maxTokens: prompt.maxTokens,
      ...agentStepColumns(prompt),
      ...promptRecord(state.prompts[prompt.id] ?? PENDING_PROMPT, outputs.get(prompt.id) ?? "", ended),
    })),
  };
}

/** The run as a list shows it (`outputs`: each prompt's output as the object knows it). */
export function summaryOf(state: RunState, outputs: ReadonlyMap<string, string>): ExecutionSummary {
  const { plan } = state;
  return {
    id: plan.executionId,
    toolId: plan.toolId,
    toolName: plan.toolName,
    status: state.status,
    error: state.error,
    createdAt: plan.header?.createdAt ?? state.startedAt,
    startedAt: state.status === "pending" ? null : state.startedAt,
    completedAt: state.finishedAt,
    sourceExecutionId: plan.sourceExecutionId,
    fromPromptId: plan.fromPromptId,
    costMicros: state.finishedAt === null ? null : totalCost(state),
    budgetMicros: plan.budgetMicros,
    inputsPreview: inputsPreview(plan.header?.inputs ?? {}),
    outputPreview: lastOutputPreview(recordOf(state, outputs).prompts),
  };
}
