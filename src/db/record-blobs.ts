// What R2 keeps of an ended execution (binding OUTPUTS): its inputs, the plan as it ran (each prompt's
// texts) and each prompt's whole output, in one object written once when the run ends. D1 keeps the
// index and points at it (tool_executions.record_key). Keys start with the owner, so everything of
// one user can be listed and deleted by prefix.
import type { ToolCallRecord } from "../events/types";

/** The contents of one ended execution. */
export interface RecordBlob {
  version: 1;
  /** Absent for a run an earlier version started (D1 keeps its inputs). */
  inputs?: Record<string, unknown>;
  prompts: Record<
    string,
    {
      systemContext: string | null;
      content: string;
      output: string;
      /** An agent step's tool calls, arguments and results whole. */
      toolCalls?: ToolCallRecord[];
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

/** The first 280 code points of a text: what lists show of an output. */
export const previewOf = (text: string): string => {
  const points = Array.from(text);
  return points.length <= 280 ? text : points.slice(0, 280).join("");
};
