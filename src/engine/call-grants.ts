// Before model calls are made, each asks the run's spending meter for its share of the budgets:
// calls that start together (a group of parallel prompts) in one request, a retry alone.
import { isPaid } from "../lib/model-catalogue";
import type { TokenCounter } from "../lib/tokens";
import type { ChatRequest } from "../models/types";
import { type CallPricing, callAsk, UNCOUNTED_GRANT } from "./attempt-cost";
import type { CallAsk, CallGrant, SpendingMeter } from "./spending";

/** What the grants need of a run. */
export interface GrantDeps {
  meter: SpendingMeter;
  pricing: (model: string) => CallPricing;
  /** The tokenizer, loaded on the first priced call. */
  tokens: () => Promise<TokenCounter>;
}

/** A call's ask (null: its model counts nothing), the meter's answer, and the tokenizer that counts its deltas. */
export interface Granted {
  ask: CallAsk | null;
  grant: CallGrant;
  count: TokenCounter | null;
}

/** One model call about to be made: its key (prompt and attempt) and its request. */
export interface PendingCall {
  key: string;
  request: ChatRequest;
}

/** Grants calls that start together: one share of what is left each, asked of the meter at once. */
export async function grantTogether(deps: GrantDeps, calls: readonly PendingCall[]): Promise<Granted[]> {
  const pricings = calls.map((call) => deps.pricing(call.request.model));
  const count = pricings.some((pricing) => isPaid(pricing.price)) ? await deps.tokens() : null;
  const asks = calls.map((call, index) => {
    const pricing = pricings[index];
    return count && pricing ? callAsk(call.key, call.request, pricing, count) : null;
  });
  const counted = asks.filter((ask): ask is CallAsk => ask !== null);
  const grants = counted.length === 0 ? [] : await deps.meter.open(counted);
  return asks.map((ask) => ({
    ask,
    grant: ask ? (grants[counted.indexOf(ask)] ?? UNCOUNTED_GRANT) : UNCOUNTED_GRANT,
    count,
  }));
}

/** Grants one call made alone (a retry, or a prompt whose reuse fell through). */
export async function grantAlone(deps: GrantDeps, call: PendingCall): Promise<Granted> {
  const [granted] = await grantTogether(deps, [call]);
  return granted ?? { ask: null, grant: UNCOUNTED_GRANT, count: null };
}
