// Admission of a new execution by its owner's account (one object per user): the Idempotency-Key,
// the concurrency limit and the daily budget decided together and exactly, in one call; and the start
// of a pending one. Refusals become the API's errors here.
import type { ExecutionSummary } from "../db/execution-summary";
import { admissionLimits, DAY_MS, dayStart } from "../durable/user/admission-limits";
import type { AdmitResult } from "../durable/user-account";
import type { Config } from "../lib/config";
import { AppError } from "../lib/errors";
import { userAccount } from "./accounts";
import type { IdempotencyKey } from "./idempotency";

export interface AdmissionRequest {
  executionId: string;
  createdAt: number;
  /** false: a pending execution, started later. */
  start: boolean;
  key: IdempotencyKey;
  /** What its first calls must be able to pay of the day. */
  need: number;
  summary: ExecutionSummary;
}

/**
 * Before a create reads anything: the execution its Idempotency-Key already made (null when the key
 * is new; a key used for another request is a 409), and the bookmark its tool read must not be older than.
 */
export async function beforeCreate(
  env: Env,
  config: Config,
  userId: string,
  key: IdempotencyKey,
): Promise<{ replayOf: string | null; toolsBookmark: string | null }> {
  const { earlier, toolsBookmark } = await userAccount(env, userId).beforeCreate(userId, admissionLimits(config), {
    idempotencyKey: key.idempotencyKey,
    fingerprints: [key.fingerprint, ...key.legacyFingerprints],
  });
  if (earlier?.kind === "conflict") throw idempotencyConflict();
  return { replayOf: earlier?.kind === "replay" ? earlier.executionId : null, toolsBookmark };
}

const idempotencyConflict = () =>
  new AppError("conflict", "This Idempotency-Key was already used for a different request");

/** Admits the execution, or answers the one its Idempotency-Key already made; refusals are thrown. */
export async function admit(
  env: Env,
  config: Config,
  userId: string,
  request: AdmissionRequest,
): Promise<{ replayOf: string | null }> {
  const result: AdmitResult = await userAccount(env, userId).admit(
    userId,
    {
      executionId: request.executionId,
      createdAt: request.createdAt,
      start: request.start,
      idempotencyKey: request.key.idempotencyKey,
      fingerprints: [request.key.fingerprint, ...request.key.legacyFingerprints],
      need: request.need,
      summary: request.summary,
    },
    admissionLimits(config),
  );
  switch (result.kind) {
    case "admitted":
      return { replayOf: null };
    case "replay":
      return { replayOf: result.executionId };
    case "conflict":
      throw idempotencyConflict();
    case "too_many":
      throw tooManyExecutions(config);
    case "budget_exhausted":
      throw budgetExhausted(config, result.left, request.need, request.createdAt);
  }
}

/** Starts a pending execution on its owner's account (its slot, and the day's budget again). */
export async function startPending(
  env: Env,
  config: Config,
  userId: string,
  executionId: string,
  need: number,
): Promise<void> {
  const outcome = await userAccount(env, userId).startPending(userId, executionId, need, admissionLimits(config));
  if (outcome === "limit_reached") throw tooManyExecutions(config);
  if (outcome === "expired") throw expiredConflict(config.pendingTtlMs);
  if (outcome === "budget_exhausted") throw budgetExhausted(config, 0, need, Date.now());
}

/** The answer when a user is at the limit. */
export const tooManyExecutions = (config: Config): AppError =>
  new AppError(
    "too_many_executions",
    `You already have ${config.maxConcurrentExecutions} executions running; wait for one to finish`,
    { retryAfter: 5 },
  );

/** What starting an expired pending execution answers. */
export const expiredConflict = (ttlMs: number): AppError =>
  new AppError(
    "conflict",
    `This execution was not started within ${ttlMs} ms of its creation and has expired; create a new one`,
  );

/** A 429 `budget_exhausted` (Retry-After: until the next UTC day). */
function budgetExhausted(config: Config, left: number, need: number, now: number): AppError {
  const cap = config.userDailyBudgetMicros;
  return new AppError(
    "budget_exhausted",
    left > 0
      ? `What is left of your daily budget (${left} of ${cap} micro-dollars) cannot pay for this run's first prompts (${need}); it renews at 00:00 UTC`
      : `Your daily budget of ${cap} micro-dollars is used up; it renews at 00:00 UTC`,
    { retryAfter: Math.ceil((dayStart(now) + DAY_MS - now) / 1000) },
  );
}
