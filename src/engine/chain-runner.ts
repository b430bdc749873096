// Runs one execution's prompts: by position, prompts sharing a position in parallel, each rendered
// from the inputs and earlier outputs (templates compiled once) and run as a step (prompt-step.ts):
// reused, or streamed from its model with attempts. A restarted object resumes from its prior progress.
import type { ErrorInfo, Usage } from "../events/types";
import { describeError, log } from "../lib/log";
import { ordinalAliases } from "../lib/templates";
import type { ChatRequest } from "../models/types";
import type { FinalPromptStatus } from "../schemas/statuses";
import { grantTogether } from "./call-grants";
import { groupByPosition, type PlannedPrompt } from "./plan";
import { type PromptSpending, runStep, type StepDeps } from "./prompt-step";
import { type CompiledPrompt, compilePrompt, renderRequest } from "./render";
import { requestHash } from "./request-hash";
import { type StopReason, stopReasonOf } from "./stop-reasons";

/** A prompt that ended before this run began (the object restarted after it). */
export interface EndedStep {
  status: FinalPromptStatus;
  output: string;
  usage: Usage | null;
  costMicros: number | null;
  estimatedCostMicros: number | null;
  overshootMicros: number | null;
  error: ErrorInfo | null;
  requestHash: string | null;
  reused: boolean;
}

/** A prompt cut mid-attempt by a restart: the attempts it had started, when it first started, what it spent. */
export interface InterruptedStep {
  attempts: number;
  startedAt: number | null;
  spent: PromptSpending;
}

/** What an earlier life of the object finished or left mid-answer; empty for a fresh run. */
export interface PriorProgress {
  ended: ReadonlyMap<string, EndedStep>;
  /** Prompts cut mid-attempt by the restart. */
  interrupted: ReadonlyMap<string, InterruptedStep>;
}

export interface RunnerDeps extends StepDeps {
  prior?: PriorProgress;
  /** Called before a group starts, with each prompt's request hash; must not throw. */
  onGroupStart: (promptIds: string[], at: number, requestHashes: string[]) => Promise<void>;
}

export type RunResult =
  | { status: "completed"; usage: Usage; costMicros: number }
  | { status: "failed"; error: ErrorInfo; usage: Usage; costMicros: number }
  | { status: "stopped"; reason: StopReason; usage: Usage; costMicros: number };

const NO_PRIOR: PriorProgress = { ended: new Map(), interrupted: new Map() };
const NOTHING_SPENT: PromptSpending = { cost: 0, estimate: 0, overshoot: 0 };

export class ChainRunner {
  private readonly templates = new Map<string, CompiledPrompt>();

  constructor(private readonly deps: RunnerDeps) {
    for (const prompt of deps.plan.prompts) this.templates.set(prompt.id, compilePrompt(prompt));
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
        costMicros: 0,
      };
    }
  }

  private async runGroups(): Promise<RunResult> {
    const { plan, signal } = this.deps;
    const prior = this.deps.prior ?? NO_PRIOR;
    const values = new Map(Object.entries(plan.values));
    const usage: Usage = { inputTokens: 0, outputTokens: 0 };
    let costMicros = 0;
    let failure: ErrorInfo | null = null;
    const settle = (prompt: PlannedPrompt, ended: EndedStep) => {
      // A failed prompt's output substitutes as "" (onPromptError: continue).
      const text = ended.status === "completed" ? ended.output : "";
      values.set(prompt.name, text);
      for (const alias of ordinalAliases(prompt.ordinal)) if (!values.has(alias)) values.set(alias, text);
      usage.inputTokens += ended.usage?.inputTokens ?? 0;
      usage.outputTokens += ended.usage?.outputTokens ?? 0;
      costMicros += ended.costMicros ?? 0;
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
      // Rendered, hashed and granted their shares of the budgets before the group starts, so the start
      // and each first attempt are stored together. A reuse candidate asks only if it has to run.
      const requests = open.map((prompt) => this.render(prompt, values));
      const hashes = await Promise.all(requests.map(requestHash));
      const calling = open.filter((prompt, index) => plan.reusable[prompt.id] !== hashes[index]);
      const grants = await grantTogether(
        this.deps,
        calling.map((prompt) => ({
          key: `${prompt.id}#${(prior.interrupted.get(prompt.id)?.attempts ?? 0) + 1}`,
          request: requests[open.indexOf(prompt)] ?? this.render(prompt, values),
        })),
      );
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
          const before = prior.interrupted.get(prompt.id) ?? { attempts: 0, startedAt, spent: NOTHING_SPENT };
          const granted = grants[calling.indexOf(prompt)];
          return runStep(this.deps, prompt, request, recorded, { ...before, granted });
        }),
      );
      open.forEach((prompt, index) => {
        const outcome = outcomes[index];
        if (outcome) settle(prompt, outcome);
      });
    }
    if (signal.aborted) return { status: "stopped", reason: stopReasonOf(signal), usage, costMicros };
    return failure
      ? { status: "failed", error: failure, usage, costMicros }
      : { status: "completed", usage, costMicros };
  }

  private render(prompt: PlannedPrompt, values: ReadonlyMap<string, string>): ChatRequest {
    return renderRequest(prompt, values, this.templates.get(prompt.id));
  }
}
