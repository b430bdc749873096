// Rebuilds an execution's event stream from its D1 records, for executions whose Durable Object
// log has passed retention. Ids are renumbered from 1; each prompt's output arrives as one delta.
import type { ExecutionStatus, PromptResultStatus } from "../schemas/statuses";
import { encodeLegacyEvent, legacyContext } from "./legacy";
import { encodeEvent, type StreamFormat } from "./sse";
import { type ErrorInfo, type ExecutionEvent, event, type StoredEvent } from "./types";

/** What the replay needs of an execution's record (a D1 row has it). */
export interface RecordedExecution {
  id: string;
  /** Null for a draft run (an unsaved tool). */
  toolId: string | null;
  toolName: string;
  status: ExecutionStatus;
  error: ErrorInfo | null;
  createdAt: number;
  startedAt: number | null;
  completedAt: number | null;
  costMicros: number | null;
  sourceExecutionId: string | null;
  fromPromptId: string | null;
}

/** What the replay needs of a prompt result's record. */
export interface RecordedPrompt {
  promptId: string;
  name: string;
  position: number;
  model: string;
  status: PromptResultStatus;
  output: string;
  error: ErrorInfo | null;
  durationMs: number | null;
  inputTokens: number | null;
  outputTokens: number | null;
  costMicros: number | null;
  reused: boolean;
}

function terminalOf(execution: RecordedExecution, results: readonly RecordedPrompt[]): ExecutionEvent {
  const error = execution.error ?? { code: "internal", message: "The execution did not complete" };
  switch (execution.status) {
    case "completed": {
      const usage = { inputTokens: 0, outputTokens: 0 };
      for (const result of results) {
        usage.inputTokens += result.inputTokens ?? 0;
        usage.outputTokens += result.outputTokens ?? 0;
      }
      return event("execution.completed", {
        durationMs: (execution.completedAt ?? 0) - (execution.startedAt ?? execution.createdAt),
        usage,
        costMicros: execution.costMicros ?? 0,
      });
    }
    case "canceled":
      return event("execution.canceled", {});
    case "timed_out":
      return event("execution.timed_out", {
        limitMs: (execution.completedAt ?? 0) - (execution.startedAt ?? execution.createdAt),
      });
    default:
      return event("execution.failed", { error });
  }
}

/** The SSE text after `afterId`, or null when there is nothing after it. */
export function replayFromRecords(
  execution: RecordedExecution,
  results: readonly RecordedPrompt[],
  afterId: number,
  format: StreamFormat,
): string | null {
  const events: ExecutionEvent[] = [
    event("execution.started", {
      executionId: execution.id,
      toolId: execution.toolId,
      toolName: execution.toolName,
      prompts: results.map((result) => ({ id: result.promptId, name: result.name, position: result.position })),
      sourceExecutionId: execution.sourceExecutionId,
      fromPromptId: execution.fromPromptId,
    }),
  ];
  for (const result of results) {
    if (result.status === "skipped" || result.status === "pending") continue;
    events.push(
      event("prompt.started", {
        promptId: result.promptId,
        name: result.name,
        position: result.position,
        model: result.model,
      }),
    );
    // A reused prompt has no deltas: its output arrives whole in prompt.completed.
    if (result.output && !result.reused)
      events.push(event("prompt.delta", { promptId: result.promptId, delta: result.output }));
    if (result.status === "completed") {
      const usage =
        result.inputTokens === null
          ? null
          : { inputTokens: result.inputTokens, outputTokens: result.outputTokens ?? 0 };
      events.push(
        event("prompt.completed", {
          promptId: result.promptId,
          output: result.output,
          durationMs: result.durationMs ?? 0,
          usage,
          costMicros: result.costMicros,
          ...(result.reused ? { reused: true as const } : {}),
        }),
      );
    } else if (result.status === "failed") {
      events.push(
        event("prompt.failed", {
          promptId: result.promptId,
          error: result.error ?? { code: "internal", message: "failed" },
        }),
      );
    }
  }
  events.push(terminalOf(execution, results));
  const stored = events
    .map((item, index) => ({ ...item, id: index + 1 }) as StoredEvent)
    .filter((item) => item.id > afterId);
  if (stored.length === 0) return null;
  const legacy = legacyContext(
    {
      executionId: execution.id,
      toolName: execution.toolName,
      prompts: results.map((result) => ({ id: result.promptId, model: result.model })),
    },
    () => results.filter((result) => result.status === "canceled").map((result) => result.promptId),
  );
  return stored.map((item) => (format === "legacy" ? encodeLegacyEvent(item, legacy) : encodeEvent(item))).join("");
}
