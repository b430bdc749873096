// Rows written straight into D1 the way an earlier version of the service wrote them (before the
// execution's object and the user's account kept the run), for tests of the cut-over.
import { env } from "cloudflare:workers";

/** An execution row as the Worker inserted it at create, before runs wrote their own records. */
export async function insertEarlierExecution(row: {
  id: string;
  ownerId: string;
  toolId: string;
  status: "pending" | "running" | "completed";
  idempotencyKey?: string | null;
  requestFingerprint?: string | null;
  inputs?: Record<string, unknown>;
  createdAt?: number;
  costMicros?: number | null;
  reservedMicros?: number;
}): Promise<void> {
  await env.DB.prepare(
    `INSERT INTO tool_executions (id, owner_id, tool_id, tool_name, status, inputs, idempotency_key,
       request_fingerprint, created_at, cost_micros, reserved_micros)
     VALUES (?, ?, ?, 'Earlier', ?, ?, ?, ?, ?, ?, ?)`,
  )
    .bind(
      row.id,
      row.ownerId,
      row.toolId,
      row.status,
      JSON.stringify(row.inputs ?? {}),
      row.idempotencyKey ?? null,
      row.requestFingerprint ?? null,
      row.createdAt ?? Date.now(),
      row.costMicros ?? null,
      row.reservedMicros ?? 0,
    )
    .run();
}
