// A live run's record as its object answers it (GET /api/executions/:id of a run that has not ended):
// the rows its record would hold, each prompt's output so far, and its agent steps' tool calls.
import { rowsOf } from "../db/execution-records";
import { recordOf } from "../engine/outcomes";
import type { RunState } from "../engine/run-state";
import { pendingToolCalls, toolCallsByPrompt } from "../engine/tool-call-records";
import { storedToolResult } from "./run-tools";
import type { LiveRecord } from "./session-types";

/** null for a run with no header (started by a version that kept none: D1 answers for it). */
export function liveRecordOf(
  state: RunState,
  outputsSoFar: ReadonlyMap<string, string>,
  kv: SyncKvStorage,
): LiveRecord | null {
  const record = recordOf(state, outputsSoFar);
  if (!record.header) return null;
  return {
    ...rowsOf({ ...record, header: record.header }),
    toolCalls: toolCallsByPrompt(state, (callId) => storedToolResult(kv, callId)),
    pendingToolCalls: pendingToolCalls(state),
  };
}
