// An execution's whole record read back from storage: D1's index (its row and its prompts' results),
// with what R2 keeps of it (inputs and input fields, the plan as it ran, whole outputs, request
// hashes) put back in; what a blob from before migration 0011 lacks, D1 still holds. A record from
// before R2 has everything in D1 and is read where it is. A missing or unreadable R2 object is a clear
// error in the record, never a thrown one.
import type { ErrorInfo, PendingToolCall, ToolCallRecord } from "../events/types";
import type { Database } from "./client";
import { findOwnExecution, findPromptResults } from "./execution-queries";
import { getRecordBlob, type RecordBlob, recordKey } from "./record-blobs";
import type { ExecutionRow, PromptResultRow } from "./schema";

export interface ExecutionContents {
  execution: ExecutionRow;
  results: PromptResultRow[];
  /** R2 did not give the outputs back: they show empty, and this says why. */
  outputsError?: ErrorInfo;
  /** Agent steps' tool calls, by prompt id. */
  toolCalls?: Record<string, ToolCallRecord[]>;
  /** Calls waiting for a person's decision (a live run's). */
  pendingToolCalls?: PendingToolCall[];
}

/** Puts R2's contents into D1's rows (a row from before R2 already holds them). */
export async function withContents(
  bucket: R2Bucket,
  execution: ExecutionRow,
  results: PromptResultRow[],
): Promise<ExecutionContents> {
  if (!execution.inR2) return { execution, results };
  let blob: RecordBlob | null;
  try {
    blob = await getRecordBlob(bucket, recordKey(execution.ownerId, execution.id));
  } catch {
    return {
      execution,
      results,
      outputsError: {
        code: "outputs_unavailable",
        message: "This execution's outputs could not be read just now; try again",
      },
    };
  }
  if (!blob)
    return {
      execution,
      results,
      outputsError: { code: "outputs_missing", message: "This execution's outputs are missing from storage" },
    };
  const prompts = blob.prompts;
  const toolCalls = Object.fromEntries(
    Object.entries(prompts).flatMap(([promptId, prompt]) => (prompt.toolCalls ? [[promptId, prompt.toolCalls]] : [])),
  );
  return {
    ...(Object.keys(toolCalls).length > 0 ? { toolCalls } : {}),
    execution: {
      ...execution,
      inputs: blob.inputs ?? execution.inputs,
      inputFields: blob.inputFields ?? execution.inputFields,
    },
    results: results.map((result) => {
      const stored = prompts[result.promptId];
      return stored
        ? {
            ...result,
            output: stored.output,
            content: stored.content,
            systemContext: stored.systemContext,
            requestHash: stored.requestHash === undefined ? result.requestHash : stored.requestHash,
          }
        : result;
    }),
  };
}

/** The owner's execution, whole, from D1 and R2 (undefined: none, or someone else's). */
export async function readOwnExecution(
  db: Database,
  bucket: R2Bucket,
  executionId: string,
  ownerId: string,
): Promise<ExecutionContents | undefined> {
  const execution = await findOwnExecution(db, executionId, ownerId);
  return execution ? withContents(bucket, execution, await findPromptResults(db, executionId)) : undefined;
}

/** One prompt's whole output in an execution that completed it (a rerun reuses it). */
export async function readPromptOutput(
  db: Database,
  bucket: R2Bucket,
  executionId: string,
  promptId: string,
): Promise<string | undefined> {
  const [execution] = await db.$client
    .prepare("SELECT owner_id AS ownerId FROM tool_executions WHERE id = ?")
    .bind(executionId)
    .all<{ ownerId: string }>()
    .then((result) => result.results);
  if (!execution) return undefined;
  const contents = await readOwnExecution(db, bucket, executionId, execution.ownerId);
  if (!contents || contents.outputsError) return undefined;
  return contents.results.find((result) => result.promptId === promptId && result.status === "completed")?.output;
}
