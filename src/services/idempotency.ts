// Idempotency-Key: a retried create or rerun returns the execution the key first made; the same key
// sent with a different request is a conflict.
import type { Database } from "../db/client";
import { findExecutionByIdempotencyKey } from "../db/execution-queries";
import type { ExecutionRow } from "../db/schema";
import { AppError } from "../lib/errors";
import type { ExecutionStatus } from "../schemas/statuses";

/** An Idempotency-Key and what it was sent with. */
export interface IdempotencyKey {
  idempotencyKey: string | null;
  fingerprint: string;
}

/** What a request asked for, to tell a retry from another request under the same key. */
export const fingerprintOf = (kind: "create" | "rerun", request: object): string => JSON.stringify([kind, request]);

/**
 * The execution this key already made, if any. Rows from before fingerprints were kept compare the
 * tool and inputs of a create, as they always did.
 */
export async function replayed(
  db: Database,
  userId: string,
  key: IdempotencyKey,
  create?: { toolId: string; inputs: Record<string, unknown> },
): Promise<{ execution: ExecutionRow; status: ExecutionStatus; replayed: true } | undefined> {
  if (!key.idempotencyKey) return undefined;
  const existing = await findExecutionByIdempotencyKey(db, userId, key.idempotencyKey);
  if (!existing) return undefined;
  const same =
    existing.requestFingerprint !== null
      ? existing.requestFingerprint === key.fingerprint
      : create !== undefined &&
        existing.toolId === create.toolId &&
        JSON.stringify(existing.inputs) === JSON.stringify(create.inputs);
  if (!same) throw new AppError("conflict", "This Idempotency-Key was already used for a different request");
  return { execution: existing, status: existing.status, replayed: true };
}
