// Idempotency-Key: a retried create or rerun returns the execution the key first made; the same key
// sent with a different request is a conflict (the owner's account decides: services/admission.ts).
import { legacyFingerprint } from "../durable/user/admission-limits";
import { canonicalJson } from "../lib/canonical-json";

/** An Idempotency-Key and what it was sent with. */
export interface IdempotencyKey {
  idempotencyKey: string | null;
  /** The request as canonical JSON (what is stored). */
  fingerprint: string;
  /**
   * The same request as earlier versions recorded it: JSON text in the client's key order, and for a
   * create, its tool and inputs (keys from before fingerprints were kept).
   */
  legacyFingerprints: string[];
}

/** What a request asked for, to tell a retry from another request under the same key (key order does not count). */
export function idempotencyKeyOf(
  idempotencyKey: string | null,
  kind: "create" | "rerun",
  request: object,
): IdempotencyKey {
  const legacy = [JSON.stringify([kind, request])];
  if (kind === "create" && "toolId" in request && "inputs" in request && typeof request.toolId === "string")
    legacy.push(legacyFingerprint(request.toolId, (request.inputs ?? {}) as Record<string, unknown>));
  return { idempotencyKey, fingerprint: canonicalJson([kind, request]), legacyFingerprints: legacy };
}
