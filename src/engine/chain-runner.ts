// Runs one execution's prompts: by position, prompts sharing a position in parallel, each rendered
// from the inputs and earlier outputs (templates compiled once) and streamed from its model. Each
// prompt is a step with attempts: a transient failure after its first token, or a restart of the
// object mid-answer, discards the output so far and starts it again, up to `maxAttempts`.
import type { PromptOutcome } from "../db/execution-records";
import { type ErrorInfo, type ExecutionEvent, event, type Usage } from "../events/types";
import { abortableSleep } from "../lib/abortable-sleep";
import { describeError, log } from "../lib/log";
import { type CompiledTemplate, compileTemplate, ordinalAliases, renderTemplate } from "../lib/templates";
import type { ModelResolver } from "../models";
import { backoff, resilientStream } from "../models/resilient-stream";
import type { ChatRequest } from "../models/types";
import type { FinalPromptStatus } from "../schemas/statuses";
import { addUsage, failureOf, INTERRUPTED_REASON, isTransient } from "./attempts";
import { type ExecutionPlan, groupByPosition, type PlannedPrompt } from "./plan";
import { requestHash } from "./request-hash";
import { type StopReason, stopReasonOf } from "./stop-reasons";

/** A prompt that ended before this run began (the object restarted after it). */
export interface EndedStep {
  status: FinalPromptStatus;
  output: string;
  usage: Usage | null;
  error: ErrorInfo | null;
  requestHash: string | null;
  reused: boolean;
}

/** What an earlier life of the object finished or left mid-answer; empty for a fresh run. */
export interface PriorProgress {
  ended: ReadonlyMap<string, EndedStep>;
  /** Prompts cut mid-attempt by the restart: the attempts they had started, and when they first started. */
  interrupted: ReadonlyMap<string, { attempts: number; startedAt: number | null }>;
}

export interface RunnerDeps {
  plan: ExecutionPlan;
  resolveModel: ModelResolver;
  idleTimeoutMs: number;
  /** Attempts per prompt, the first included (PROMPT_MAX_ATTEMPTS). */
  maxAttempts: number;
  /** Base of the backoff between attempts (doubling, jittered). */
  attemptBackoffMs?: number;
  signal: AbortSignal;
  prior?: PriorProgress;
  emit: (event: ExecutionEvent) => void;
  /** Loads a reused prompt's output from the rerun's source (undefined: not found, so it runs). */
  reuse?: (promptId: string) => Promise<string | undefined>;
  /** An attempt begins (called in the same turn as its event, so both are stored together). */
  onAttempt: (promptId: string, attempt: number) => void;
  /** Called before a group starts, with each prompt's request hash; must not throw. */
  onGroupStart: (promptIds: string[], at: number, requestHashes: string[]) => Promise<void>;
  /** Called when a prompt ends, whatever the outcome; must not throw. */
  onPromptEnd: (promptId: string, outcome: PromptOutcome) => Promise<void>;
}

export type RunResult =
  | { status: "completed"; usage: Usage }
  | { status: "failed"; error: ErrorInfo; usage: Usage }
  | { status: "stopped"; reason: StopReason; usage: Usage };

const NO_PRIOR: PriorProgress = { ended: new Map(), interrupted: new Map() };

export class ChainRunner {
  private readonly templates = new Map<string, { content: CompiledTemplate; system: CompiledTemplate | null }>();

  constructor(private readonly deps: RunnerDeps) {
    for (const prompt of deps.plan.prompts) {
      this.templates.set(prompt.id, {
        content: compileTemplate(prompt.content),
        system: prompt.systemContext ? compileTemplate(prompt.systemContext) : null,
      });
    }
  }

  /** Runs the chain; an unexpected failure is logged and answered as a failed run, never thrown. */
  async run(): Promise<RunResult> {
    try {
      return await this.runGroups();
    } catch (error) {
      log("error", "run failed unexpectedly", { executionId: this.deps.plan.executionId, error: describeError(error) });
      return {
        status: "failed",
        error: { code: "internal", message: "The execution failed unexpectedly" },
        usage: { inputTokens: 0, outputTokens: 0 },
      };
    }
  }

  private async runGroups(): Promise<RunResult> {
    const { plan, signal } = this.deps;
    const prior = this.deps.prior ?? NO_PRIOR;
    const values = new Map(Object.entries(plan.values));
    const usage: Usage = { inputTokens: 0, outputTokens: 0 };
    let failure: ErrorInfo | null = null;
    const settle = (prompt: PlannedPrompt, ended: EndedStep) => {
      // A failed prompt's output substitutes as "" (onPromptError: continue).
      const text = ended.status === "completed" ? ended.output : "";
      values.set(prompt.name, text);
      for (const alias of ordinalAliases(prompt.ordinal)) if (!values.has(alias)) values.set(alias, text);
      usage.inputTokens += ended.usage?.inputTokens ?? 0;
      usage.outputTokens += ended.usage?.outputTokens ?? 0;
      if (ended.status === "failed" && plan.onPromptError === "stop" && !failure && !signal.aborted) {
        // Out of attempts because the worker kept restarting: the run was interrupted, not refused.
        const code = ended.error?.code === "interrupted" ? "interrupted" : "prompt_failed";
        failure = { code, message: `Prompt "${prompt.name}" failed: ${ended.error?.message ?? "unknown error"}` };
      }
    };
    for (const prompt of plan.prompts) {
      const ended = prior.ended.get(prompt.id);
      if (ended) settle(prompt, ended);
    }
    for (const group of groupByPosition(plan.prompts)) {
      if (signal.aborted || failure) break;
      const open = group.filter((prompt) => !prior.ended.has(prompt.id));
      if (open.length === 0) continue;
      // Rendered and hashed before the group starts, so the start and each first attempt are stored together.
      const requests = open.map((prompt) => this.render(prompt, values));
      const hashes = await Promise.all(requests.map(requestHash));
      const startedAt = Date.now();
      // Recording the start must not delay the model calls; each prompt's end record waits for it.
      const recorded = this.deps.onGroupStart(
        open.map((prompt) => prompt.id),
        startedAt,
        hashes,
      );
      const outcomes = await Promise.all(
        open.map((prompt, index) => {
          const request = { request: requests[index] ?? this.render(prompt, values), hash: hashes[index] ?? "" };
          const before = prior.interrupted.get(prompt.id) ?? { attempts: 0, startedAt };
          return this.runPrompt(prompt, request, recorded, before);
        }),
      );
      open.forEach((prompt, index) => {
        const outcome = outcomes[index];
        if (outcome) settle(prompt, outcome);
      });
    }
    if (signal.aborted) return { status: "stopped", reason: stopReasonOf(signal), usage };
    return failure ? { status: "failed", error: failure, usage } : { status: "completed", usage };
  }

  private render(prompt: PlannedPrompt, values: ReadonlyMap<string, string>): ChatRequest {
    const templates = this.templates.get(prompt.id);
    return {
      model: prompt.model,
      prompt: templates ? renderTemplate(templates.content, values) : prompt.content,
      systemContext: templates?.system ? renderTemplate(templates.system, values) : null,
      temperature: prompt.temperature,
      maxTokens: prompt.maxTokens,
    };
  }

  /** Starts attempt `attempt` of a prompt: `prompt.started` for the first, `prompt.restarted` after. */
  private beginAttempt(prompt: PlannedPrompt, attempt: number, reason: ErrorInfo | null): void {
    this.deps.onAttempt(prompt.id, attempt);
    const { id: promptId, name, position, model } = prompt;
    if (attempt === 1 || reason === null) this.deps.emit(event("prompt.started", { promptId, name, position, model }));
    else this.deps.emit(event("prompt.restarted", { promptId, attempt, reason }));
  }

  /** A rerun's prompt whose request is its source's: the source's output, without a model call. */
  private async reused(prompt: PlannedPrompt, hash: string, startedAt: number): Promise<PromptOutcome | null> {
    if (!this.deps.reuse) return null;
    const output = await this.deps.reuse(prompt.id);
    if (output === undefined) return null;
    const { id: promptId, name, position, model } = prompt;
    this.deps.emit(event("prompt.started", { promptId, name, position, model }));
    this.deps.emit(event("prompt.completed", { promptId, output, durationMs: 0, usage: null, reused: true }));
    const at = Date.now();
    return {
      status: "completed",
      output,
      error: null,
      startedAt,
      completedAt: at,
      usage: null,
      attempts: 0,
      requestHash: hash,
      reused: true,
    };
  }

  private async runPrompt(
    prompt: PlannedPrompt,
    { request, hash }: { request: ChatRequest; hash: string },
    startRecorded: Promise<void>,
    before: { attempts: number; startedAt: number | null },
  ): Promise<PromptOutcome> {
    const { emit, signal, maxAttempts } = this.deps;
    // A prompt resumed after a restart counts its duration from its first start.
    const startedAt = before.startedAt ?? Date.now();
    const priorAttempts = before.attempts;
    // Only a reuse candidate waits here: every other prompt begins its attempt in this turn.
    if (this.deps.plan.reusable[prompt.id] === hash) {
      const reused = await this.reused(prompt, hash, startedAt);
      if (reused) {
        await startRecorded;
        await this.deps.onPromptEnd(prompt.id, reused);
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
      attempts: Math.min(attempt, maxAttempts),
      requestHash: hash,
      reused: false,
    });
    let outcome: PromptOutcome | null = null;
    while (!outcome) {
      if (attempt > maxAttempts) {
        const error = {
          code: "interrupted",
          message: `The run was interrupted ${priorAttempts} times (its worker restarted) and this prompt has no attempts left`,
        };
        emit(event("prompt.failed", { promptId: prompt.id, error }));
        outcome = end("failed", error);
        break;
      }
      this.beginAttempt(prompt, attempt, reason);
      output = "";
      try {
        const stream = resilientStream(this.deps.resolveModel(prompt.model), request, {
          signal,
          idleTimeoutMs: this.deps.idleTimeoutMs,
        });
        for await (const chunk of stream) {
          if (chunk.type === "usage") {
            usage = addUsage(usage, chunk.usage);
          } else {
            output += chunk.text;
            emit(event("prompt.delta", { promptId: prompt.id, delta: chunk.text }));
          }
        }
        const completedAt = Date.now();
        emit(event("prompt.completed", { promptId: prompt.id, output, durationMs: completedAt - startedAt, usage }));
        outcome = end("completed", null);
      } catch (error) {
        // After the first token a transient failure starts a new attempt; before it the model client retried.
        if (!signal.aborted && isTransient(error) && output !== "" && attempt < maxAttempts) {
          await abortableSleep(backoff(attempt, error, this.deps.attemptBackoffMs ?? 250, 8_000), signal).catch(
            () => undefined,
          );
          if (!signal.aborted) {
            reason = failureOf(error);
            attempt++;
            continue;
          }
        }
        outcome = this.failed(prompt, error, end);
      }
    }
    await startRecorded;
    await this.deps.onPromptEnd(prompt.id, outcome);
    return outcome;
  }

  /** A prompt that ended without completing: stopped from outside, or failed. */
  private failed(
    prompt: PlannedPrompt,
    error: unknown,
    end: (status: FinalPromptStatus, error: ErrorInfo | null) => PromptOutcome,
  ): PromptOutcome {
    const stop = this.deps.signal.aborted ? stopReasonOf(this.deps.signal) : null;
    const failure = stop ? { code: stop.code, message: stop.message } : failureOf(error);
    // Canceled prompts end quietly (execution.canceled says it); every other end is a prompt.failed.
    if (stop?.code === "canceled") return end("canceled", failure);
    this.deps.emit(event("prompt.failed", { promptId: prompt.id, error: failure }));
    return end("failed", failure);
  }
}
