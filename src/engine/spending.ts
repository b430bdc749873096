// What a run has spent against what it may spend: its own budget and the owner's daily budget,
// shared by the run's prompts. Before each model call the meter gives the call a share of what is
// left (calls that start together split it equally) and reserves the call's worst case: its input
// and the most output tokens that share can pay, the bound the call then sends to the provider.
// As tokens stream, a call whose estimate outgrows its reservation reserves more or is refused;
// when it ends, its reservation is replaced by what it cost. Amounts are fractional micro-dollars.
import { type ExecutionEvent, event } from "../events/types";
import { wholeMicros } from "../lib/model-catalogue";

/**
 * The owner's daily budget as the run holds it (USER_DAILY_BUDGET_MICROS). One implementation per
 * store: today D1 (db/daily-spending.ts); the meter never calls it twice at once for one run.
 */
export interface BudgetLedger {
  /**
   * Sets what the run holds of its owner's day to `base` + what it grants: up to `want` more, as
   * much as the day has left, but nothing unless at least `min` fits. Answers the grant (0 when
   * refused); throws when the ledger cannot be reached.
   */
  hold(request: { base: number; want: number; min: number }): Promise<number>;
}

export interface SpendingLimits {
  /** The execution's budget (null: none). */
  budgetMicros: number | null;
  /** The owner's daily budget (absent: no cap). */
  ledger?: BudgetLedger;
  /** How much more than the moment needs a call reserves when its estimate outgrows its reservation. */
  growStep?: number;
  /** A call's share must pay its input and this many output tokens, or it is not made (BUDGET_MIN_OUTPUT_TOKENS). */
  minOutputTokens: number;
  /** Spending changed (an estimate moved or a call settled). */
  onChange?: (spentMicros: number) => void;
}

/** Why spending may not go on: the execution's budget, or the owner's daily budget. */
export type SpendingRefusal = "budget" | "daily";

/** May spending go on: null (yes) or why not; a promise while more of the daily budget is reserved. */
export type Verdict = SpendingRefusal | null | Promise<SpendingRefusal | null>;

/** What a model call needs to know before it is made. */
export interface CallAsk {
  key: string;
  /** The rendered input's estimated cost. */
  inputMicros: number;
  /** The price of one output token (0: output costs nothing). */
  outputMicrosPerToken: number;
  /** The most output tokens the call may produce whatever the budgets (its prompt's maxTokens, the model's context); null: none. */
  maxOutputTokens: number | null;
}

/** A call's share: made with this reservation and output bound, or refused. */
export type CallGrant =
  | {
      granted: true;
      reservedMicros: number;
      /** The output bound to send (null: none). */
      outputTokens: number | null;
      /** Which budget set the bound, when a budget (not the call's own limits) did: an answer cut at it ran out of that budget. */
      boundBy: SpendingRefusal | null;
    }
  | { granted: false; refusal: SpendingRefusal };

interface LiveCall {
  reserved: number;
  estimate: number;
  /** A nested execution's share (an `assistant:` call): its own run holds the owner's day for it. */
  nested?: true;
}

const sum = (values: readonly number[]) => values.reduce((total, value) => total + value, 0);

/** The worst case a call can cost: its input and, when output is priced, its bound (Infinity without one). */
const worstCase = (ask: CallAsk): number =>
  ask.outputMicrosPerToken === 0
    ? ask.inputMicros
    : ask.inputMicros + (ask.maxOutputTokens ?? Number.POSITIVE_INFINITY) * ask.outputMicrosPerToken;

/** Splits `total` equally, giving no one more than it wants and what it leaves to the others. */
export function splitEqually(total: number, wants: readonly number[]): number[] {
  const shares = wants.map(() => 0);
  let left = total;
  const order = wants.map((want, index) => ({ want, index })).sort((a, b) => a.want - b.want);
  order.forEach(({ want, index }, position) => {
    const share = Math.min(want, left / (order.length - position));
    shares[index] = share;
    left -= share;
  });
  return shares;
}

export class SpendingMeter {
  /** Calls that ended: what each cost (the provider's usage, or the estimate when it reported none). */
  private settled: number;
  private readonly live = new Map<string, LiveCall>();
  /** What nested executions cost (part of `settled`; the owner's day counts it on them). */
  private nested: number;
  /** What the ledger holds for this run after its last answer (null: not asked in this life). */
  private dayHeld: number | null = null;
  private ledgerQueue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly limits: SpendingLimits,
    alreadySpent = 0,
    alreadyNested = 0,
  ) {
    this.settled = alreadySpent;
    this.nested = alreadyNested;
  }

  get budgetMicros(): number | null {
    return this.limits.budgetMicros;
  }

  /** Whether any budget limits this run (else calls are bounded only by their own limits). */
  get limited(): boolean {
    return this.limits.budgetMicros !== null || this.limits.ledger !== undefined;
  }

  /** Estimated spending so far: what ended calls cost and the running estimates of live ones. */
  spent(): number {
    let total = this.settled;
    for (const call of this.live.values()) total += call.estimate;
    return total;
  }

  /** What the run claims: ended calls, and each live call's reservation or estimate, the larger. */
  private committed(): number {
    let total = this.settled;
    for (const call of this.live.values()) total += Math.max(call.reserved, call.estimate);
    return total;
  }

  /** What the run claims of the owner's day: `committed` without what nested executions hold and spent (they hold the day themselves). */
  private committedToday(): number {
    let total = this.committed() - this.nested;
    for (const call of this.live.values()) if (call.nested) total -= Math.max(call.reserved, call.estimate);
    return total;
  }

  /**
   * A nested execution (an `assistant:` call) starts: it gets what is left of the run's budget, split
   * equally among the `parts` nested executions that start together, and that share is reserved until
   * it ends. Null: the run has no budget (the nested execution has none either). `share`: the share a
   * restarted run gave it before (reserved again as it was).
   */
  openNested(key: string, parts: number, share?: number | null): number | null {
    const budget = this.limits.budgetMicros;
    if (budget === null) return null;
    const given = share ?? Math.floor(Math.max(0, budget - this.committed()) / Math.max(1, parts));
    this.live.set(key, { reserved: given, estimate: 0, nested: true });
    return given;
  }

  /** A nested execution ended: what it cost replaces its share (and counts against the run's budget). */
  settleNested(key: string, cost: number): void {
    this.live.delete(key);
    this.settled += cost;
    this.nested += cost;
    this.limits.onChange?.(this.spent());
  }

  /**
   * Calls that start together ask for their shares: what is left of the run's budget and of the
   * day (one ledger request for all of them) is split equally, each call's share bounds its output
   * and is reserved; a share that cannot pay the input and the minimum output is refused.
   */
  open(asks: readonly CallAsk[]): Promise<CallGrant[]> {
    if (!this.limited) return Promise.resolve(asks.map((ask) => this.unlimited(ask)));
    return this.serially(async () => {
      const base = this.committed();
      const budget = this.limits.budgetMicros;
      const runLeft = budget === null ? Number.POSITIVE_INFINITY : Math.max(0, budget - base);
      const wants = asks.map(worstCase);
      const needs = asks.map((ask) => ask.inputMicros + this.limits.minOutputTokens * ask.outputMicrosPerToken);
      let available = Math.min(runLeft, sum(wants));
      let refusal: SpendingRefusal = "budget";
      const { ledger } = this.limits;
      if (ledger) {
        const today = this.committedToday();
        const granted = await ledger.hold({ base: today, want: available, min: Math.min(...needs) });
        this.dayHeld = today + granted;
        if (granted < available) {
          available = granted;
          refusal = "daily";
        }
      }
      const shares = splitEqually(available, wants);
      return asks.map((ask, index) => this.grant(ask, shares[index] ?? 0, needs[index] ?? 0, refusal));
    });
  }

  /**
   * A live call's estimate grows to `estimate`: null when it fits its reservation (synchronously) or
   * more could be reserved, else why not (and the estimate stays where it was).
   */
  admit(key: string, estimate: number): Verdict {
    const call = this.liveCall(key);
    if (estimate <= call.reserved) return this.estimate(call, estimate);
    const grown = estimate - Math.max(call.reserved, call.estimate);
    const total = this.committed() + grown;
    const { budgetMicros, ledger } = this.limits;
    if (budgetMicros !== null && total > budgetMicros) return "budget";
    if (!ledger || this.committedToday() + grown <= (this.dayHeld ?? 0)) return this.reserve(call, estimate);
    return this.serially(async () => {
      const base = this.committed();
      const today = this.committedToday();
      const more = estimate - call.reserved;
      const headroom = budgetMicros === null ? Number.POSITIVE_INFINITY : budgetMicros - base;
      const granted = await ledger.hold({
        base: today,
        want: Math.min(more + (this.limits.growStep ?? 0), headroom),
        min: more,
      });
      this.dayHeld = today + granted;
      if (granted < more) return "daily";
      call.reserved += granted;
      return this.estimate(call, estimate);
    });
  }

  /**
   * Call `key` ended: `cost` (the provider's figure, or its estimate) replaces its reservation.
   * Answers what it cost past its reservation (0 when within it, or when nothing was reserved).
   */
  settle(key: string, cost: number): number {
    const call = this.liveCall(key);
    this.live.delete(key);
    this.settled += cost;
    this.limits.onChange?.(this.spent());
    return this.limited ? Math.max(0, cost - call.reserved) : 0;
  }

  /** No budget applies: the call is counted, and bounded only by what its prompt says (not the context window). */
  private unlimited(ask: CallAsk): CallGrant {
    this.live.set(ask.key, { reserved: ask.inputMicros, estimate: ask.inputMicros });
    this.limits.onChange?.(this.spent());
    return { granted: true, reservedMicros: ask.inputMicros, outputTokens: null, boundBy: null };
  }

  private grant(ask: CallAsk, share: number, need: number, refusal: SpendingRefusal): CallGrant {
    if (share < need) return { granted: false, refusal };
    let outputTokens = ask.maxOutputTokens;
    let boundBy: SpendingRefusal | null = null;
    if (ask.outputMicrosPerToken > 0) {
      const affordable = Math.floor((share - ask.inputMicros) / ask.outputMicrosPerToken);
      if (outputTokens === null || affordable < outputTokens) boundBy = refusal;
      outputTokens = Math.min(affordable, outputTokens ?? affordable);
    }
    const reserved = ask.inputMicros + (outputTokens ?? 0) * ask.outputMicrosPerToken;
    this.live.set(ask.key, { reserved, estimate: ask.inputMicros });
    this.limits.onChange?.(this.spent());
    return { granted: true, reservedMicros: reserved, outputTokens, boundBy };
  }

  private liveCall(key: string): LiveCall {
    const call = this.live.get(key);
    if (!call) throw new Error(`no live call ${key}: it was never opened or has settled`);
    return call;
  }

  private estimate(call: LiveCall, estimate: number): null {
    call.estimate = estimate;
    this.limits.onChange?.(this.spent());
    return null;
  }

  private reserve(call: LiveCall, estimate: number): null {
    call.reserved = estimate;
    return this.estimate(call, estimate);
  }

  /** One ledger request at a time for the whole run (each sets the run's hold as a whole). */
  private serially<T>(work: () => Promise<T>): Promise<T> {
    const next = this.ledgerQueue.then(work, work);
    this.ledgerQueue = next.catch(() => undefined);
    return next;
  }
}

/** An `execution.cost` event at most once per `intervalMs` while the (whole micro-dollar) spending changes. */
export function costEvents(
  budgetMicros: number | null,
  emit: (event: ExecutionEvent) => void,
  now: () => number,
  intervalMs = 1000,
): (spentMicros: number) => void {
  let sentAt = Number.NEGATIVE_INFINITY;
  let sent = 0;
  return (spentMicros) => {
    const whole = wholeMicros(spentMicros);
    if (whole === sent) return;
    const at = now();
    if (at - sentAt < intervalMs) return;
    sentAt = at;
    sent = whole;
    emit(event("execution.cost", { spentMicros: whole, budgetMicros }));
  };
}
