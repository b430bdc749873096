// What an admission is asked and answers, the limits it applies (from the configuration), and the UTC
// day and fingerprint helpers it counts by; the decisions are in admission.ts.
import type { ExecutionSummary } from "../../db/execution-summary";
import { canonicalJson } from "../../lib/canonical-json";
import type { Config } from "../../lib/config";

export const DAY_MS = 86_400_000;

/** The UTC day `at` falls in: its start, in ms since the epoch. */
export const dayStart = (at: number): number => at - (at % DAY_MS);

/** The limits an admission applies, from the configuration. */
export const admissionLimits = (config: Config): AdmissionLimits => ({
  maxConcurrent: config.maxConcurrentExecutions,
  pendingTtlMs: config.pendingTtlMs,
  leaseMs: config.executionLeaseMs,
  dailyCap: config.userDailyBudgetMicros,
  maxWaiting: config.maxWaitingExecutions,
});

/** The limits an admission applies (from the configuration). */
export interface AdmissionLimits {
  maxConcurrent: number;
  pendingTtlMs: number;
  leaseMs: number;
  /** Micro-dollars per UTC day (0: no cap). */
  dailyCap: number;
  /** Runs that may wait for approvals at once. */
  maxWaiting: number;
}

export interface AdmitRequest {
  executionId: string;
  createdAt: number;
  /** false: a pending execution, started later. */
  start: boolean;
  idempotencyKey: string | null;
  /** The request as canonical JSON, and as rows from before canonical fingerprints recorded it. */
  fingerprints: string[];
  /** What the run's first calls must be able to pay of the day (0: nothing to count). */
  need: number;
  summary: ExecutionSummary;
}

export type AdmitResult =
  | { kind: "admitted" }
  | { kind: "replay"; executionId: string }
  | { kind: "conflict" }
  | { kind: "too_many" }
  | { kind: "budget_exhausted"; left: number };

/** What a key from before fingerprints were kept is compared by: a create's tool and inputs. */
export const legacyFingerprint = (toolId: string, inputs: Record<string, unknown>): string =>
  canonicalJson(["legacy", toolId, inputs]);

export type StartPendingResult = "started" | "not_pending" | "expired" | "limit_reached" | "budget_exhausted";
