// What R2 keeps of an ended execution (binding OUTPUTS): its inputs and input fields, the plan as it
// ran (each prompt's texts), each prompt's whole output and request hash, in one object written once
// when the run ends. D1 keeps the index (tool_executions.in_r2 says the object exists, at
// `recordKey(owner, id)`). Keys start with the owner, so everything of one user can be listed and
// deleted by prefix.
import type { ToolCallRecord } from "../events/types";
import type { FieldSnapshot } from "./schema";

/** The contents of one ended execution. */
export interface RecordBlob {
  version: 1;
  /** Absent for a run an earlier version started (D1 keeps its inputs). */
  inputs?: Record<string, unknown>;
  /** Absent for a run that ended before migration 0011 or that an earlier version started (D1 keeps them). */
  inputFields?: FieldSnapshot[];
  prompts: Record<
    string,
    {
      systemContext: string | null;
      content: string;
      output: string;
      /** An agent step's tool calls, arguments and results whole. */
      toolCalls?: ToolCallRecord[];
      /** The request hash (a rerun reuses an unchanged prompt); absent before 0011 (D1 keeps it then). */
      requestHash?: string | null;
    }
  >;
}

/** Where an execution's contents live in R2. */
export const recordKey = (ownerId: string, executionId: string): string =>
  `${ownerPrefix(ownerId)}${encodeURIComponent(executionId)}.json`;

/** The prefix of every key of one owner's executions. */
export const ownerPrefix = (ownerId: string): string => `records/${encodeURIComponent(ownerId)}/`;

export async function putRecordBlob(bucket: R2Bucket, key: string, blob: RecordBlob): Promise<void> {
  await bucket.put(key, JSON.stringify(blob), { httpMetadata: { contentType: "application/json" } });
}

/** The contents at `key`; null when the object is missing. Throws when R2 cannot be reached. */
export async function getRecordBlob(bucket: R2Bucket, key: string): Promise<RecordBlob | null> {
  const object = await bucket.get(key);
  return object ? ((await object.json()) as RecordBlob) : null;
}

/** Deletes the objects at `keys` (up to 1,000 a call, as R2 takes them). */
export async function deleteRecordBlobs(bucket: R2Bucket, keys: readonly string[]): Promise<void> {
  for (let start = 0; start < keys.length; start += 1000) await bucket.delete(keys.slice(start, start + 1000));
}
