// One model call's spending: what it asks of the meter before it is made (its rendered input's
// tokens, counted with a real tokenizer, and its own output limits), each delta's output tokens as
// they arrive, and the provider's usage when it reports it, which then replaces the estimate (both
// are kept: the record shows each).
import type { Usage } from "../events/types";
import { exactCostMicros, isPaid, type Price } from "../lib/model-catalogue";
import { chatInputTokens, type TokenCounter } from "../lib/tokens";
import type { ChatRequest } from "../models/types";
import type { CallAsk, CallGrant, SpendingMeter, Verdict } from "./spending";

/** A call's price and the model's context window (null: unknown), from the catalogue. */
export interface CallPricing {
  price: Price | null;
  contextTokens: number | null;
}

/** What a call of `request` asks the meter for (null: its model is free or unpriced, so nothing is counted). */
export function callAsk(key: string, request: ChatRequest, pricing: CallPricing, count: TokenCounter): CallAsk | null {
  const { price, contextTokens } = pricing;
  if (!isPaid(price)) return null;
  const inputTokens = requestInputTokens(request, count);
  // The context window bounds the answer as well: what the input leaves of it.
  const contextLeft = contextTokens === null ? null : Math.max(0, contextTokens - inputTokens);
  const limits = [request.maxTokens, contextLeft].filter((limit) => limit !== null);
  return {
    key,
    inputMicros: inputTokens * price.inputUsdPerMTok,
    outputMicrosPerToken: price.outputUsdPerMTok,
    maxOutputTokens: limits.length === 0 ? null : Math.min(...limits),
  };
}

/**
 * The input tokens of a request: its system context and prompt, or (an agent step's turn) its whole
 * conversation, tool results included, and its tools' definitions.
 */
export function requestInputTokens(request: ChatRequest, count: TokenCounter): number {
  if (!request.messages) return chatInputTokens(count, request.systemContext, request.prompt);
  const texts = request.messages.flatMap((message) => {
    if (message.role === "assistant")
      return [message.content ?? "", ...(message.toolCalls ?? []).map((call) => `${call.name}${call.arguments}`)];
    return [message.content];
  });
  const tools = request.tools && request.tools.length > 0 ? JSON.stringify(request.tools) : "";
  // The first text as the prompt, the rest as more messages (the per-message overhead each).
  return chatInputTokens(count, tools || null, texts.join("\n")) + texts.length * 4;
}

/** What a call cost when it ended: the provider's figure (or the estimate), the estimate, and any overshoot. */
export interface SettledCall {
  cost: number;
  estimate: number;
  /** What it cost past its reservation: a provider billed past the bound it was sent. */
  overshoot: number;
}

export class AttemptCost {
  private estimate: number;
  private usage: Usage | null = null;

  /** A call the meter granted (`ask` null, or no tokenizer: nothing is counted). */
  constructor(
    private readonly meter: SpendingMeter,
    private readonly ask: CallAsk | null,
    private readonly price: Price | null,
    private readonly count: TokenCounter | null,
  ) {
    this.estimate = ask?.inputMicros ?? 0;
  }

  /** A delta arrived: whether its output tokens fit (if not, it is not counted or sent). */
  delta(text: string): Verdict {
    const { ask, count } = this;
    if (!ask || !count) return null;
    const next = this.estimate + count(text) * ask.outputMicrosPerToken;
    const verdict = this.meter.admit(ask.key, next);
    const accept = (refusal: Awaited<Verdict>) => {
      if (refusal === null) this.estimate = next;
      return refusal;
    };
    return verdict instanceof Promise ? verdict.then(accept) : accept(verdict);
  }

  reported(usage: Usage): void {
    this.usage = usage;
  }

  /** The call ended: settles it at the provider's figure when there is one, else at the estimate. */
  end(): SettledCall {
    if (!this.ask) return { cost: 0, estimate: 0, overshoot: 0 };
    const cost = this.price && this.usage ? exactCostMicros(this.price, this.usage) : this.estimate;
    return { cost, estimate: this.estimate, overshoot: this.meter.settle(this.ask.key, cost) };
  }
}

/** The grant of a call that counts nothing (a free or unpriced model): bounded by its prompt's own limit only. */
export const UNCOUNTED_GRANT: CallGrant = { granted: true, reservedMicros: 0, outputTokens: null, boundBy: null };
