// One attempt's spending as it streams: the rendered prompt's input tokens before the call, each
// delta's output tokens as it arrives (both with a real tokenizer), and the provider's usage when
// it reports it, which then replaces the estimate (both are kept: the record shows each).
import type { Usage } from "../events/types";
import { exactCostMicros, isPaid, type Price } from "../lib/model-catalogue";
import { chatInputTokens, type TokenCounter, tokenCounter } from "../lib/tokens";
import type { ChatRequest } from "../models/types";
import type { SpendingMeter, SpendingRefusal, Verdict } from "./spending";

export class AttemptCost {
  private estimate = 0;
  private usage: Usage | null = null;
  private count: TokenCounter = () => 0;

  constructor(
    private readonly meter: SpendingMeter,
    private readonly key: string,
    private readonly price: Price | null,
  ) {}

  /** Before the call: whether the rendered prompt's input tokens fit what is left (if not, the model is not called). */
  start(request: ChatRequest): Verdict {
    const { price } = this;
    if (!isPaid(price)) return null;
    return tokenCounter().then((count) => {
      this.count = count;
      return this.grow(chatInputTokens(count, request.systemContext, request.prompt) * price.inputUsdPerMTok);
    });
  }

  /** A delta arrived: whether its output tokens fit what is left (if not, it is not counted or sent). */
  delta(text: string): Verdict {
    if (!isPaid(this.price)) return null;
    return this.grow(this.count(text) * this.price.outputUsdPerMTok);
  }

  /** Adds `micros` to the estimate if the meter admits it. */
  private grow(micros: number): Verdict {
    const next = this.estimate + micros;
    const verdict = this.meter.admit(this.key, next);
    const accept = (refusal: SpendingRefusal | null) => {
      if (refusal === null) this.estimate = next;
      return refusal;
    };
    return verdict instanceof Promise ? verdict.then(accept) : accept(verdict);
  }

  reported(usage: Usage): void {
    this.usage = usage;
  }

  /** The attempt ended: settles it with the provider's figure when there is one, else the estimate. */
  end(): { cost: number; estimate: number } {
    const cost = this.price && this.usage ? exactCostMicros(this.price, this.usage) : this.estimate;
    this.meter.settle(this.key, cost);
    return { cost, estimate: this.estimate };
  }
}
