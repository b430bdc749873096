// Idempotency-Key: a retried create or rerun returns the execution the key first made; the same key
// sent with a different request is a conflict.
import type { Database } from "../db/client";
import { findExecutionByIdempotencyKey } from "../db/execution-queries";
import type { ExecutionRow } from "../db/schema";
import { canonicalJson } from "../lib/canonical-json";
import { AppError } from "../lib/errors";
import type { ExecutionStatus } from "../schemas/statuses";

/** An Idempotency-Key and what it was sent with. */
export interface IdempotencyKey {
  idempotencyKey: string | null;
  /** The request as canonical JSON (what is stored). */
  fingerprint: string;
  /** The same request as rows written before fingerprints were canonical recorded it (JSON text in the client's key order). */
  legacyFingerprint: string;
}

/** What a request asked for, to tell a retry from another request under the same key (key order does not count). */
export const idempotencyKeyOf = (
  idempotencyKey: string | null,
  kind: "create" | "rerun",
  request: object,
): IdempotencyKey => ({
  idempotencyKey,
  fingerprint: canonicalJson([kind, request]),
  legacyFingerprint: JSON.stringify([kind, request]),
});

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
      ? existing.requestFingerprint === key.fingerprint || existing.requestFingerprint === key.legacyFingerprint
      : create !== undefined &&
        existing.toolId === create.toolId &&
        canonicalJson(existing.inputs) === canonicalJson(create.inputs);
  if (!same) throw new AppError("conflict", "This Idempotency-Key was already used for a different request");
  return { execution: existing, status: existing.status, replayed: true };
}
