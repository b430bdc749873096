// One prompt of a run, as a step with attempts: reused from a rerun's source when its request is
// unchanged; else streamed from its model, starting again after a transient failure mid-answer (or
// after the object restarted) up to `maxAttempts`; stopped from outside by the run's signal. Each
// attempt is a model call that first gets its share of the budgets (call-grants.ts).
import type { PromptOutcome } from "../db/execution-records";
import { type ErrorInfo, type ExecutionEvent, event, type Usage } from "../events/types";
import { abortableSleep } from "../lib/abortable-sleep";
import { isPaid, wholeMicros } from "../lib/model-catalogue";
import type { ModelResolver } from "../models";
import { backoff, resilientStream } from "../models/resilient-stream";
import type { ChatRequest } from "../models/types";
import type { FinalPromptStatus } from "../schemas/statuses";
import { AttemptCost } from "./attempt-cost";
import { addUsage, failureOf, INTERRUPTED_REASON, isTransient } from "./attempts";
import { type GrantDeps, type Granted, grantAlone } from "./call-grants";
import type { ExecutionPlan, PlannedPrompt } from "./plan";
import type { CallGrant, Verdict } from "./spending";
import { budgetExceeded, type StopReason, stopReasonOf } from "./stop-reasons";

/** A prompt's spending over its attempts so far, in fractional micro-dollars. */
export interface PromptSpending {
  cost: number;
  /** The tokenizer's estimate of the same. */
  estimate: number;
  /** What providers billed past the reservations of their calls. */
  overshoot: number;
}

/** A prompt's spending as it is recorded: whole micro-dollars, rounded up (null: its model is not priced). */
export type RecordedSpending = Pick<PromptOutcome, "costMicros" | "estimatedCostMicros" | "overshootMicros">;

/** What one prompt's step needs of its run. */
export interface StepDeps extends GrantDeps {
  plan: ExecutionPlan;
  resolveModel: ModelResolver;
  idleTimeoutMs: number;
  /** Attempts per prompt, the first included (PROMPT_MAX_ATTEMPTS). */
  maxAttempts: number;
  /** Base of the backoff between attempts (doubling, jittered). */
  attemptBackoffMs?: number;
  signal: AbortSignal;
  emit: (event: ExecutionEvent) => void;
  /** Loads a reused prompt's output from the rerun's source (undefined: not found, so it runs). */
  reuse?: (promptId: string) => Promise<string | undefined>;
  /** An attempt begins, holding `reservedMicros` (called in the same turn as its event, so both are stored together). */
  onAttempt: (promptId: string, attempt: number, reservedMicros: number) => void;
  /** An attempt failed and another follows: what the prompt has spent so far, as recorded. */
  onAttemptSettled: (promptId: string, spent: RecordedSpending) => void;
  /** Called when a prompt ends, whatever the outcome; must not throw. */
  onPromptEnd: (promptId: string, outcome: PromptOutcome) => Promise<void>;
  /** Stops the whole run (every prompt still streaming) with `reason`. */
  stop: (reason: StopReason) => void;
}

/** Where a prompt starts: what an earlier life of the object left of it (nothing for a fresh one). */
export interface StepStart {
  attempts: number;
  startedAt: number | null;
  spent: PromptSpending;
  /** The first attempt's share, granted with the other prompts of its group (absent: asked alone). */
  granted?: Granted;
}

/** Stops the run when spending may not go on (a refusal), and throws to end this attempt. */
async function enforce(deps: StepDeps, verdict: Verdict): Promise<void> {
  const refusal = verdict instanceof Promise ? await verdict : verdict;
  if (refusal === null) return;
  deps.stop(budgetExceeded(refusal === "budget" ? deps.meter.budgetMicros : null));
  throw deps.signal.reason;
}

/** Starts attempt `attempt` of a prompt: `prompt.started` for the first, `prompt.restarted` after. */
function beginAttempt(
  deps: StepDeps,
  prompt: PlannedPrompt,
  attempt: number,
  reason: ErrorInfo | null,
  grant: CallGrant,
): void {
  deps.onAttempt(prompt.id, attempt, grant.granted ? grant.reservedMicros : 0);
  const { id: promptId, name, position, model } = prompt;
  if (attempt === 1 || reason === null) deps.emit(event("prompt.started", { promptId, name, position, model }));
  else deps.emit(event("prompt.restarted", { promptId, attempt, reason }));
}

/** A rerun's prompt whose request is its source's: the source's output, without a model call. */
async function reusedOutcome(
  deps: StepDeps,
  prompt: PlannedPrompt,
  hash: string,
  startedAt: number,
): Promise<PromptOutcome | null> {
  if (!deps.reuse) return null;
  const output = await deps.reuse(prompt.id);
  if (output === undefined) return null;
  const { id: promptId, name, position, model } = prompt;
  deps.emit(event("prompt.started", { promptId, name, position, model }));
  deps.emit(event("prompt.completed", { promptId, output, durationMs: 0, usage: null, costMicros: 0, reused: true }));
  return {
    status: "completed",
    output,
    error: null,
    startedAt,
    completedAt: Date.now(),
    usage: null,
    costMicros: 0,
    estimatedCostMicros: null,
    overshootMicros: null,
    attempts: 0,
    requestHash: hash,
    reused: true,
  };
}

export async function runStep(
  deps: StepDeps,
  prompt: PlannedPrompt,
  { request, hash }: { request: ChatRequest; hash: string },
  startRecorded: Promise<void>,
  before: StepStart,
): Promise<PromptOutcome> {
  const { emit, signal, maxAttempts } = deps;
  // A prompt resumed after a restart counts its duration from its first start.
  const startedAt = before.startedAt ?? Date.now();
  const priorAttempts = before.attempts;
  // Only a reuse candidate waits here: every other prompt begins its attempt in this turn.
  if (deps.plan.reusable[prompt.id] === hash) {
    const reused = await reusedOutcome(deps, prompt, hash, startedAt);
    if (reused) {
      await startRecorded;
      await deps.onPromptEnd(prompt.id, reused);
      return reused;
    }
  }
  let attempt = priorAttempts + 1;
  let reason: ErrorInfo | null = priorAttempts > 0 ? INTERRUPTED_REASON : null;
  let output = "";
  let usage: Usage | null = null;
  const { price } = deps.pricing(prompt.model);
  const spent = { ...before.spent };
  const recorded = (): RecordedSpending => ({
    costMicros: price ? wholeMicros(spent.cost) : null,
    estimatedCostMicros: isPaid(price) ? wholeMicros(spent.estimate) : null,
    overshootMicros: isPaid(price) ? wholeMicros(spent.overshoot) : null,
  });
  const end = (status: FinalPromptStatus, error: ErrorInfo | null): PromptOutcome => ({
    status,
    output,
    error,
    startedAt,
    completedAt: Date.now(),
    usage,
    ...recorded(),
    attempts: Math.min(attempt, maxAttempts),
    requestHash: hash,
    reused: false,
  });
  let outcome: PromptOutcome | null = null;
  if (priorAttempts >= maxAttempts) {
    // Restarts of the object used up the attempts before this one could begin.
    const error = {
      code: "interrupted",
      message: `The run was interrupted ${priorAttempts} times (its worker restarted) and this prompt has no attempts left`,
    };
    emit(event("prompt.failed", { promptId: prompt.id, error }));
    outcome = end("failed", error);
  }
  let granted = before.granted;
  while (!outcome) {
    const call = granted ?? (await grantAlone(deps, { key: `${prompt.id}#${attempt}`, request }));
    granted = undefined;
    beginAttempt(deps, prompt, attempt, reason, call.grant);
    const cost = new AttemptCost(deps.meter, call.grant.granted ? call.ask : null, price, call.count);
    const streamed = { output: "", usage: null as Usage | null };
    const failure = await streamAttempt(deps, prompt, request, call.grant, cost, streamed).then(
      () => null,
      (error: unknown) => ({ error }),
    );
    const settled = cost.end();
    spent.cost += settled.cost;
    spent.estimate += settled.estimate;
    spent.overshoot += settled.overshoot;
    output = streamed.output;
    if (streamed.usage) usage = addUsage(usage, streamed.usage);
    if (!failure) {
      outcome = end("completed", null);
      const { completedAt, costMicros } = outcome;
      emit(
        event("prompt.completed", {
          promptId: prompt.id,
          output,
          durationMs: completedAt - startedAt,
          usage,
          costMicros,
        }),
      );
      break;
    }
    // After the first token a transient failure starts a new attempt; before it the model client retried.
    const { error } = failure;
    if (!signal.aborted && isTransient(error) && output !== "" && attempt < maxAttempts) {
      deps.onAttemptSettled(prompt.id, recorded());
      await abortableSleep(backoff(attempt, error, deps.attemptBackoffMs ?? 250, 8_000), signal).catch(() => undefined);
      if (!signal.aborted) {
        reason = failureOf(error);
        attempt++;
        continue;
      }
    }
    outcome = failed(deps, prompt, error, end);
  }
  await startRecorded;
  await deps.onPromptEnd(prompt.id, outcome);
  return outcome;
}

/**
 * Streams one attempt, sending each delta and collecting the output and usage in `streamed`; throws
 * when it fails or the run stops. A call refused its share is not made; a delta that would pass what
 * is left is not sent (leaving the loop closes the model's stream); an answer the provider cut at a
 * bound the budgets set ran out of that budget.
 */
async function streamAttempt(
  deps: StepDeps,
  prompt: PlannedPrompt,
  request: ChatRequest,
  grant: CallGrant,
  cost: AttemptCost,
  streamed: { output: string; usage: Usage | null },
): Promise<void> {
  if (!grant.granted) return enforce(deps, grant.refusal);
  const stream = resilientStream(
    deps.resolveModel(prompt.model),
    { ...request, outputTokenLimit: grant.outputTokens },
    { signal: deps.signal, idleTimeoutMs: deps.idleTimeoutMs },
  );
  for await (const chunk of stream) {
    if (chunk.type === "usage") {
      streamed.usage = addUsage(streamed.usage, chunk.usage);
      cost.reported(streamed.usage);
    } else if (chunk.type === "finish") {
      if (chunk.reason === "length" && grant.boundBy) await enforce(deps, grant.boundBy);
    } else if (chunk.type === "delta") {
      const verdict = cost.delta(chunk.text);
      if (verdict !== null) await enforce(deps, verdict);
      streamed.output += chunk.text;
      deps.emit(event("prompt.delta", { promptId: prompt.id, delta: chunk.text }));
    }
  }
}

/** A prompt that ended without completing: stopped from outside, or failed. */
function failed(
  deps: StepDeps,
  prompt: PlannedPrompt,
  error: unknown,
  end: (status: FinalPromptStatus, error: ErrorInfo | null) => PromptOutcome,
): PromptOutcome {
  const stop = deps.signal.aborted ? stopReasonOf(deps.signal) : null;
  const failure = stop ? { code: stop.code, message: stop.message } : failureOf(error);
  // Canceled prompts end quietly (execution.canceled says it); every other end is a prompt.failed.
  if (stop?.code === "canceled") return end("canceled", failure);
  deps.emit(event("prompt.failed", { promptId: prompt.id, error: failure }));
  return end("failed", failure);
}
