// Runs one execution's prompts: by position, prompts sharing a position in parallel, each rendered
// from the inputs and earlier outputs (templates compiled once) and streamed from its model.

import type { PromptOutcome } from "../db/execution-records";
import type { ErrorInfo } from "../events/types";
import { type ExecutionEvent, event, type Usage } from "../events/types";
import { describeError, log } from "../lib/log";
import { type CompiledTemplate, compileTemplate, ordinalAliases, renderTemplate } from "../lib/templates";
import type { ModelResolver } from "../models";
import { resilientStream } from "../models/resilient-stream";
import { ModelError } from "../models/types";
import { type ExecutionPlan, groupByPosition, type PlannedPrompt } from "./plan";
import { type StopReason, stopReasonOf } from "./stop-reasons";

export interface RunnerDeps {
  plan: ExecutionPlan;
  resolveModel: ModelResolver;
  idleTimeoutMs: number;
  signal: AbortSignal;
  emit: (event: ExecutionEvent) => void;
  /** Called before a group starts; must not throw. */
  onGroupStart: (promptIds: string[], at: number) => Promise<void>;
  /** Called when a prompt ends, whatever the outcome; must not throw. */
  onPromptEnd: (promptId: string, outcome: PromptOutcome) => Promise<void>;
}

export type RunResult =
  | { status: "completed"; usage: Usage }
  | { status: "failed"; error: ErrorInfo; usage: Usage }
  | { status: "stopped"; reason: StopReason; usage: Usage };

function failureOf(error: unknown): ErrorInfo {
  if (error instanceof ModelError) return { code: error.code, message: error.message };
  return { code: "internal", message: "The prompt failed unexpectedly" };
}

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
    const values = new Map(Object.entries(plan.values));
    const usage: Usage = { inputTokens: 0, outputTokens: 0 };
    let failure: ErrorInfo | null = null;
    for (const group of groupByPosition(plan.prompts)) {
      if (signal.aborted || failure) break;
      const startedAt = Date.now();
      // Recording the start must not delay the model calls; each prompt's end record waits for it.
      const recorded = this.deps.onGroupStart(
        group.map((prompt) => prompt.id),
        startedAt,
      );
      const outcomes = await Promise.all(group.map((prompt) => this.runPrompt(prompt, values, startedAt, recorded)));
      group.forEach((prompt, index) => {
        const outcome = outcomes[index];
        if (!outcome) return;
        // A failed prompt's output substitutes as "" (onPromptError: continue).
        const text = outcome.status === "completed" ? outcome.output : "";
        values.set(prompt.name, text);
        for (const alias of ordinalAliases(prompt.ordinal)) if (!values.has(alias)) values.set(alias, text);
        usage.inputTokens += outcome.usage?.inputTokens ?? 0;
        usage.outputTokens += outcome.usage?.outputTokens ?? 0;
        if (outcome.status === "failed" && plan.onPromptError === "stop" && !failure && !signal.aborted) {
          failure = {
            code: "prompt_failed",
            message: `Prompt "${prompt.name}" failed: ${outcome.error?.message ?? "unknown error"}`,
          };
        }
      });
    }
    if (signal.aborted) return { status: "stopped", reason: stopReasonOf(signal), usage };
    return failure ? { status: "failed", error: failure, usage } : { status: "completed", usage };
  }

  private render(prompt: PlannedPrompt, values: ReadonlyMap<string, string>) {
    const templates = this.templates.get(prompt.id);
    return {
      model: prompt.model,
      prompt: templates ? renderTemplate(templates.content, values) : prompt.content,
      systemContext: templates?.system ? renderTemplate(templates.system, values) : null,
      temperature: prompt.temperature,
      maxTokens: prompt.maxTokens,
    };
  }

  private async runPrompt(
    prompt: PlannedPrompt,
    values: ReadonlyMap<string, string>,
    startedAt: number,
    startRecorded: Promise<void>,
  ): Promise<PromptOutcome> {
    const { emit, signal } = this.deps;
    emit(
      event("prompt.started", {
        promptId: prompt.id,
        name: prompt.name,
        position: prompt.position,
        model: prompt.model,
      }),
    );
    let output = "";
    let usage: Usage | null = null;
    let outcome: PromptOutcome;
    try {
      const stream = resilientStream(this.deps.resolveModel(prompt.model), this.render(prompt, values), {
        signal,
        idleTimeoutMs: this.deps.idleTimeoutMs,
      });
      for await (const chunk of stream) {
        if (chunk.type === "usage") {
          usage = chunk.usage;
        } else {
          output += chunk.text;
          emit(event("prompt.delta", { promptId: prompt.id, delta: chunk.text }));
        }
      }
      const completedAt = Date.now();
      emit(event("prompt.completed", { promptId: prompt.id, output, durationMs: completedAt - startedAt, usage }));
      outcome = { status: "completed", output, error: null, startedAt, completedAt, usage };
    } catch (error) {
      const stop = signal.aborted ? stopReasonOf(signal) : null;
      const failure = stop ? { code: stop.code, message: stop.message } : failureOf(error);
      // Canceled prompts end quietly (execution.canceled says it); every other end is a prompt.failed.
      if (stop?.code !== "canceled") emit(event("prompt.failed", { promptId: prompt.id, error: failure }));
      outcome = {
        status: stop?.code === "canceled" ? "canceled" : "failed",
        output,
        error: failure,
        startedAt,
        completedAt: Date.now(),
        usage,
      };
    }
    await startRecorded;
    await this.deps.onPromptEnd(prompt.id, outcome);
    return outcome;
  }
}
