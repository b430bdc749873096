// The run's model calls, as the effects that carry them out: a call is prepared (its request rendered
// and hashed, a rerun's reuse checked, its share of the budgets granted, together with the calls that
// start with it), then made (one attempt streamed, each delta counted against what is left). Each
// ends in the input that reports it; the decisions are not here (run-machine.ts).
import { type ErrorInfo, type ExecutionEvent, event, type Usage } from "../events/types";
import { abortableSleep } from "../lib/abortable-sleep";
import { isPaid } from "../lib/model-catalogue";
import type { ModelResolver } from "../models";
import { backoff, resilientStream } from "../models/resilient-stream";
import { type ChatRequest, ModelError, type ToolCall } from "../models/types";
import { type AgentState, isAgentStep } from "./agent-state";
import { type AgentTools, agentRequest, resolveTurn, type StepTool } from "./agent-turns";
import { AttemptCost } from "./attempt-cost";
import { failureOf, isTransient } from "./attempts";
import { type GrantDeps, type Granted, grantTogether } from "./call-grants";
import type { ExecutionPlan, PlannedPrompt } from "./plan";
import { type CompiledPrompt, compilePrompt, renderRequest } from "./render";
import { requestHash } from "./request-hash";
import type { AttemptOutcome, CallToPrepare, PreparedCall } from "./run-io";
import type { CallGrant, SpendingRefusal, Verdict } from "./spending";

/** What the calls need of their run. */
export interface CallsHost extends GrantDeps {
  plan: ExecutionPlan;
  resolveModel: ModelResolver;
  idleTimeoutMs: number;
  /** Base of the backoff between attempts (doubling, jittered). */
  attemptBackoffMs: number;
  /** Aborted when the run stops: every call in flight ends. */
  signal: () => AbortSignal;
  /** Appends to the event log (deltas go straight there). */
  emit: (event: ExecutionEvent) => void;
  /** Each input field's text and each ended prompt's output, by the names templates use. */
  values: () => ReadonlyMap<string, string>;
  /** An agent step's turns and calls as the state has them now. */
  agentOf: (promptId: string) => AgentState | undefined;
  /** Agent steps' tools and stored results. */
  agentTools: AgentTools;
}

/** Spending may not go on: why, carried out of the stream loop. */
class Refused extends Error {
  constructor(readonly refusal: SpendingRefusal) {
    super(`spending refused: ${refusal}`);
  }
}

export class RunCalls {
  private readonly templates = new Map<string, CompiledPrompt>();
  /** Each prepared call's request and grant, until it is made or released. */
  private readonly ready = new Map<string, { request: ChatRequest; granted: Granted }>();
  /** Each agent step's tools, read once per life of the object. */
  private readonly stepTools = new Map<string, Promise<StepTool[]>>();

  constructor(private readonly host: CallsHost) {}

  /** Renders, hashes and grants `calls` together (after the longest backoff any of them waits). */
  async prepare(calls: readonly CallToPrepare[]): Promise<PreparedCall[]> {
    const { host } = this;
    const waits = calls.map((call) =>
      call.delay
        ? backoff(call.delay.afterAttempt, call.delay.retryAfterMs ?? undefined, host.attemptBackoffMs, 8_000)
        : 0,
    );
    const wait = Math.max(0, ...waits);
    if (wait > 0) await abortableSleep(wait, host.signal()).catch(() => undefined);
    const values = host.values();
    const requests = await Promise.all(calls.map((call) => this.request(this.prompt(call.promptId), values)));
    const hashes = await Promise.all(requests.map(requestHash));
    const reuse = calls.map((call, index) => call.mayReuse && host.plan.reusable[call.promptId] === hashes[index]);
    const asking = calls.flatMap((call, index) => (reuse[index] ? [] : [{ call, index }]));
    const grants = host.signal().aborted
      ? []
      : await grantTogether(
          host,
          asking.map(({ call, index }) => ({ key: this.keyOf(call), request: requests[index] as ChatRequest })),
        );
    return calls.map((call, index) => {
      const granted = grants[asking.findIndex((item) => item.index === index)];
      if (granted) this.ready.set(this.keyOf(call), { request: requests[index] as ChatRequest, granted });
      return {
        promptId: call.promptId,
        attempt: call.attempt,
        requestHash: hashes[index] ?? "",
        reuse: reuse[index] ?? false,
        grant: granted?.grant ?? null,
      };
    });
  }

  /** Streams one attempt of a prepared call; every delta goes to the log as it arrives. */
  async call(promptId: string, attempt: number, grant: CallGrant): Promise<AttemptOutcome> {
    const { host } = this;
    const key = this.keyOf({ promptId, attempt });
    const ready = this.ready.get(key);
    this.ready.delete(key);
    const prompt = this.prompt(promptId);
    const agent = isAgentStep(prompt) ? (host.agentOf(promptId) ?? null) : null;
    const { price } = host.pricing(prompt.model);
    const counted = grant.granted ? (ready?.granted.ask ?? null) : null;
    const cost = new AttemptCost(host.meter, counted, price, ready?.granted.count ?? null);
    const streamed = { output: "", usage: null as Usage | null, calls: [] as ToolCall[] };
    const request = ready?.request ?? (await this.request(prompt, host.values()));
    const failure = await this.stream(
      promptId,
      { ...request, outputTokenLimit: grantBound(grant) },
      grant,
      cost,
      streamed,
    )
      .then(() => null)
      .catch((error: unknown) => ({ error }));
    const settled = cost.end();
    const spent = {
      costMicros: price ? settled.cost : null,
      estimatedCostMicros: isPaid(price) ? settled.estimate : null,
      overshootMicros: isPaid(price) ? settled.overshoot : null,
    };
    // An agent step's output is its whole text: its earlier turns' and this one's.
    const output = (agent?.turnTexts.join("") ?? "") + streamed.output;
    const base = { output, usage: streamed.usage, spent };
    if (!failure && agent && streamed.calls.length > 0) {
      const tools = await this.toolsOf(prompt);
      const turn = await resolveTurn(streamed.output, streamed.calls, tools, () => host.agentTools.beginWaiting());
      return { ...base, kind: "completed", turn };
    }
    if (!failure) return { ...base, kind: "completed" };
    if (failure.error instanceof Refused) return { ...base, kind: "refused", refusal: failure.error.refusal };
    if (host.signal().aborted) return { ...base, kind: "stopped" };
    const error: ErrorInfo = failureOf(failure.error);
    // After the first token a transient failure may start a new attempt; before it the model client retried.
    const retryable = isTransient(failure.error) && streamed.output !== "";
    const retryAfterMs = failure.error instanceof ModelError ? (failure.error.retryAfterMs ?? null) : null;
    return { ...base, kind: "failed", error, retryable, retryAfterMs };
  }

  /** A nested execution's share of what is left of the run's budget (SpendingMeter.openNested). */
  openNested(key: string, parts: number, share?: number | null): number | null {
    return this.host.meter.openNested(key, parts, share);
  }

  /** A nested execution ended at `cost`. */
  settleNested(key: string, cost: number): void {
    this.host.meter.settleNested(key, cost);
  }

  /** A prepared call that will not be made gives its share of the budgets back. */
  release(promptId: string, attempt: number): void {
    const key = this.keyOf({ promptId, attempt });
    const ready = this.ready.get(key);
    this.ready.delete(key);
    if (ready?.granted.ask && ready.granted.grant.granted) this.host.meter.settle(ready.granted.ask.key, 0);
  }

  /**
   * Streams one attempt into `streamed`; throws when it fails, the run stops, or spending may not go
   * on: a delta that would pass what is left is not sent (leaving the loop closes the model's stream),
   * and an answer the provider cut at a bound a budget set ran out of that budget.
   */
  private async stream(
    promptId: string,
    request: ChatRequest,
    grant: CallGrant,
    cost: AttemptCost,
    streamed: { output: string; usage: Usage | null; calls: ToolCall[] },
  ): Promise<void> {
    if (!grant.granted) throw new Refused(grant.refusal);
    const { host } = this;
    const chunks = resilientStream(host.resolveModel(request.model), request, {
      signal: host.signal(),
      idleTimeoutMs: host.idleTimeoutMs,
    });
    for await (const chunk of chunks) {
      if (chunk.type === "usage") {
        streamed.usage = chunk.usage;
        cost.reported(chunk.usage);
      } else if (chunk.type === "finish") {
        if (chunk.reason === "length" && grant.boundBy) throw new Refused(grant.boundBy);
      } else if (chunk.type === "tool_calls") {
        streamed.calls.push(...chunk.calls);
      } else if (chunk.type === "delta") {
        await allowed(cost.delta(chunk.text));
        streamed.output += chunk.text;
        host.emit(event("prompt.delta", { promptId, delta: chunk.text }));
      }
    }
  }

  private prompt(promptId: string): PlannedPrompt {
    const prompt = this.host.plan.prompts.find((item) => item.id === promptId);
    if (!prompt) throw new Error(`prompt ${promptId} is not in this execution's plan`);
    return prompt;
  }

  /** The request a call sends: the prompt rendered, and for an agent step its tools and conversation. */
  private async request(prompt: PlannedPrompt, values: ReadonlyMap<string, string>): Promise<ChatRequest> {
    const base = this.render(prompt, values);
    const agent = isAgentStep(prompt) ? this.host.agentOf(prompt.id) : undefined;
    if (!agent) return base;
    const tools = await this.toolsOf(prompt);
    return agentRequest(base, agent, tools, (callId) => this.host.agentTools.result(callId));
  }

  private toolsOf(prompt: PlannedPrompt): Promise<StepTool[]> {
    let tools = this.stepTools.get(prompt.id);
    if (!tools) {
      tools = this.host.agentTools.forStep(prompt, this.host.signal());
      this.stepTools.set(prompt.id, tools);
      tools.catch(() => this.stepTools.delete(prompt.id));
    }
    return tools;
  }

  /** The key of one attempt of one prompt (the meter's, and the prepared calls'); an agent step's turn is part of it. */
  private keyOf({ promptId, attempt }: { promptId: string; attempt: number }): string {
    return `${promptId}#${this.host.agentOf(promptId)?.turn ?? 0}.${attempt}`;
  }

  private render(prompt: PlannedPrompt, values: ReadonlyMap<string, string>): ChatRequest {
    let compiled = this.templates.get(prompt.id);
    if (!compiled) {
      compiled = compilePrompt(prompt);
      this.templates.set(prompt.id, compiled);
    }
    return renderRequest(prompt, values, compiled);
  }
}

/** The output bound a grant sets (null: only the prompt's own). */
const grantBound = (grant: CallGrant): number | null => (grant.granted ? grant.outputTokens : null);

/** Waits for a verdict; a refusal ends the stream. */
async function allowed(verdict: Verdict): Promise<void> {
  const refusal = verdict instanceof Promise ? await verdict : verdict;
  if (refusal !== null) throw new Refused(refusal);
}
