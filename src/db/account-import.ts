// What D1 holds of a user's executions that their account must know when it first opens (the cut-over
// from D1's counts to the account's): live ones (their slots), recent ones (the daily budget) and every
// Idempotency-Key.
import { and, eq, gte, inArray, isNotNull, or } from "drizzle-orm";
import type { Database } from "./client";
import { toolExecutions } from "./schema";

export interface ImportedExecution {
  id: string;
  status: string;
  createdAt: number;
  costMicros: number | null;
  reservedMicros: number;
  idempotencyKey: string | null;
  requestFingerprint: string | null;
  /** For a key from before fingerprints were kept: what the request was (its tool and inputs). */
  toolId: string | null;
  inputs: Record<string, unknown>;
}

/** The owner's executions that are live, created since `since`, or made under an Idempotency-Key. */
export function executionsToImport(db: Database, ownerId: string, since: number): Promise<ImportedExecution[]> {
  return db
    .select({
      id: toolExecutions.id,
      status: toolExecutions.status,
      createdAt: toolExecutions.createdAt,
      costMicros: toolExecutions.costMicros,
      reservedMicros: toolExecutions.reservedMicros,
      idempotencyKey: toolExecutions.idempotencyKey,
      requestFingerprint: toolExecutions.requestFingerprint,
      toolId: toolExecutions.toolId,
      inputs: toolExecutions.inputs,
    })
    .from(toolExecutions)
    .where(
      and(
        eq(toolExecutions.ownerId, ownerId),
        or(
          inArray(toolExecutions.status, ["pending", "running"]),
          gte(toolExecutions.createdAt, since),
          isNotNull(toolExecutions.idempotencyKey),
        ),
      ),
    );
}
