// The original endpoint's frames (docs/events.md, "The original frame format"): unnamed events whose
// `data` has a `type`, each with an `id:` so the same resume rules apply.
import type { StoredEvent } from "./types";

/** What the original frames need beyond one event: prompt order and the tool's name. */
export interface LegacyContext {
  executionId: string;
  toolName: string;
  /** Prompt ids in run order; the index is the original `promptIndex`. */
  promptIds: string[];
  /** Each prompt's model, in the same order (a restart's `prompt_start` names it). */
  promptModels: string[];
  /** Prompts that were running when the execution was canceled (read when the end is encoded). */
  canceledPromptIds: () => readonly string[];
}

/** The context of one execution: its prompts in run order, and which of them a cancel stopped. */
export function legacyContext(
  execution: { executionId: string; toolName: string; prompts: readonly { id: string; model: string }[] },
  canceledPromptIds: () => readonly string[],
): LegacyContext {
  return {
    executionId: execution.executionId,
    toolName: execution.toolName,
    promptIds: execution.prompts.map((prompt) => prompt.id),
    promptModels: execution.prompts.map((prompt) => prompt.model),
    canceledPromptIds,
  };
}

/** The `prompt_error` text of a prompt stopped by a cancel. */
export const CANCELED_PROMPT_MESSAGE = "Canceled by the user before this prompt finished";

type LegacyFrame = { type: string } & Record<string, unknown>;

/** The original frame for an event; null for an event the original app had no frame for. */
function legacyFrame(stored: StoredEvent, context: LegacyContext): LegacyFrame | null {
  const promptIndex = (promptId: string) => context.promptIds.indexOf(promptId);
  switch (stored.type) {
    case "execution.started":
      return { type: "metadata", totalPrompts: stored.data.prompts.length, toolName: stored.data.toolName };
    case "prompt.started":
      return {
        type: "prompt_start",
        promptIndex: promptIndex(stored.data.promptId),
        promptId: stored.data.promptId,
        modelName: stored.data.model,
      };
    case "prompt.restarted": {
      // The original client resets a prompt's text on prompt_start: a restart is a fresh one.
      const index = promptIndex(stored.data.promptId);
      return {
        type: "prompt_start",
        promptIndex: index,
        promptId: stored.data.promptId,
        modelName: context.promptModels[index] ?? "",
      };
    }
    case "prompt.delta":
      return { type: "token", promptIndex: promptIndex(stored.data.promptId), token: stored.data.delta };
    case "prompt.completed":
      return { type: "prompt_complete", promptIndex: promptIndex(stored.data.promptId), result: stored.data.output };
    case "prompt.failed":
      return { type: "prompt_error", promptIndex: promptIndex(stored.data.promptId), error: stored.data.error.message };
    case "execution.cost":
    // The original app had no tool events: an agent step shows its text only (SPEC §12).
    case "tool.called":
    case "tool.approval_requested":
    case "tool.decided":
    case "tool.completed":
      return null;
    case "execution.completed":
      return { type: "complete", executionId: context.executionId };
    case "execution.failed":
      return { type: "error", error: stored.data.error.message, code: stored.data.error.code };
    case "execution.canceled":
      return { type: "error", error: "Execution canceled", code: "canceled" };
    case "execution.timed_out":
      return { type: "error", error: `Execution timed out after ${stored.data.limitMs} ms`, code: "timed_out" };
  }
}

/**
 * The original endpoint's frames for one event: unnamed, `data: {"type": ...}`, with `id:` for resume.
 * A cancel first closes each prompt it stopped with a `prompt_error` (timeouts and failures already
 * sent one), so an original client never leaves a panel running. Those frames belong to the final one
 * and carry no id: a client resuming from before the end receives them again with it.
 */
export function encodeLegacyEvent(stored: StoredEvent, context: LegacyContext): string {
  const closing =
    stored.type === "execution.canceled"
      ? context
          .canceledPromptIds()
          .map(
            (promptId) =>
              `data: ${JSON.stringify({ type: "prompt_error", promptIndex: context.promptIds.indexOf(promptId), error: CANCELED_PROMPT_MESSAGE })}\n\n`,
          )
          .join("")
      : "";
  const frame = legacyFrame(stored, context);
  return frame ? `${closing}id: ${stored.id}\ndata: ${JSON.stringify(frame)}\n\n` : "";
}
