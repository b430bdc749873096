// A nested execution's id (SPEC §12, `assistant:<toolId>`): made from its parent's id and the agent
// step's call id, so a parent that restarts finds the same child instead of starting a second one, and
// so the lineage can be read back from the id on every path (the object, or D1 after it forgot).
// Ids a client creates are random UUIDs and never hold the separator: no id can claim a parent falsely.

const SEPARATOR = "~";
const CALL_ID = /^\d+-\d+-\d+$/;

/** Where a nested execution comes from: its parent execution and the parent's tool call. */
export interface ParentLink {
  executionId: string;
  callId: string;
}

/** The id of the execution a parent's call `callId` runs. */
export const nestedExecutionId = (parentId: string, callId: string): string => `${parentId}${SEPARATOR}${callId}`;

/** The parent of a nested execution's id; null for any other execution. */
export function parentOf(executionId: string): ParentLink | null {
  const at = executionId.lastIndexOf(SEPARATOR);
  if (at <= 0) return null;
  const callId = executionId.slice(at + 1);
  return CALL_ID.test(callId) ? { executionId: executionId.slice(0, at), callId } : null;
}
