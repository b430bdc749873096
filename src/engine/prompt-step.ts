// One prompt of a run, as a step with attempts: reused from a rerun's source when its request is
// unchanged; else streamed from its model, starting again after a transient failure mid-answer (or
// after the object restarted) up to `maxAttempts`; stopped from outside by the run's signal.
import type { PromptOutcome } from "../db/execution-records";
import { type ErrorInfo, type ExecutionEvent, event, type Usage } from "../events/types";
import { abortableSleep } from "../lib/abortable-sleep";
import type { ModelResolver } from "../models";
import { backoff, resilientStream } from "../models/resilient-stream";
import type { ChatRequest } from "../models/types";
import type { FinalPromptStatus } from "../schemas/statuses";
import { addUsage, failureOf, INTERRUPTED_REASON, isTransient } from "./attempts";
import type { ExecutionPlan, PlannedPrompt } from "./plan";
import { stopReasonOf } from "./stop-reasons";

/** What one prompt's step needs of its run. */
export interface StepDeps {
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
  /** An attempt begins (called in the same turn as its event, so both are stored together). */
  onAttempt: (promptId: string, attempt: number) => void;
  /** Called when a prompt ends, whatever the outcome; must not throw. */
  onPromptEnd: (promptId: string, outcome: PromptOutcome) => Promise<void>;
  /** What `usage` on `model` costs in micro-dollars; null when the model has no price or nothing was reported. */
  costOf: (model: string, usage: Usage | null) => number | null;
}

/** Starts attempt `attempt` of a prompt: `prompt.started` for the first, `prompt.restarted` after. */
function beginAttempt(deps: StepDeps, prompt: PlannedPrompt, attempt: number, reason: ErrorInfo | null): void {
  deps.onAttempt(prompt.id, attempt);
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
  const at = Date.now();
  return {
    status: "completed",
    output,
    error: null,
    startedAt,
    completedAt: at,
    usage: null,
    costMicros: 0,
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
  before: { attempts: number; startedAt: number | null },
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
  const end = (status: FinalPromptStatus, error: ErrorInfo | null): PromptOutcome => ({
    status,
    output,
    error,
    startedAt,
    completedAt: Date.now(),
    usage,
    costMicros: deps.costOf(prompt.model, usage),
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
  while (!outcome) {
    beginAttempt(deps, prompt, attempt, reason);
    output = "";
    try {
      const stream = resilientStream(deps.resolveModel(prompt.model), request, {
        signal,
        idleTimeoutMs: deps.idleTimeoutMs,
      });
      for await (const chunk of stream) {
        if (chunk.type === "usage") {
          usage = addUsage(usage, chunk.usage);
        } else {
          output += chunk.text;
          emit(event("prompt.delta", { promptId: prompt.id, delta: chunk.text }));
        }
      }
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
    } catch (error) {
      // After the first token a transient failure starts a new attempt; before it the model client retried.
      if (!signal.aborted && isTransient(error) && output !== "" && attempt < maxAttempts) {
        await abortableSleep(backoff(attempt, error, deps.attemptBackoffMs ?? 250, 8_000), signal).catch(
          () => undefined,
        );
        if (!signal.aborted) {
          reason = failureOf(error);
          attempt++;
          continue;
        }
      }
      outcome = failed(deps, prompt, error, end);
    }
  }
  await startRecorded;
  await deps.onPromptEnd(prompt.id, outcome);
  return outcome;
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
