// What a run has spent, estimated as tokens stream, against what it may spend: its own budget and
// the owner's daily budget, of which it holds a reservation that grows as it needs more. Shared by
// the prompts of a run, so parallel prompts share one budget. Amounts are fractional micro-dollars.
import { type ExecutionEvent, event } from "../events/types";
import { wholeMicros } from "../lib/model-catalogue";

export interface SpendingLimits {
  /** The execution's budget (null: none). */
  budgetMicros: number | null;
  /**
   * Reserves `more` micro-dollars of the daily budget beyond what this run holds and answers the
   * total it holds after (less than asked when the day's budget runs short, or when the reservation
   * could not be written: it must not throw). Absent: no daily cap.
   */
  reserve?: (more: number) => Promise<number>;
  /** How much more to reserve than the moment needs, so that a reservation is not a D1 write per token. */
  reserveAhead?: number;
  /** Spending changed (the estimate moved or an attempt settled). */
  onChange?: (spentMicros: number) => void;
}

/** Why spending may not go on: the execution's budget, or the owner's daily budget. */
export type SpendingRefusal = "budget" | "daily";

/** May spending go on: null (yes) or why not; a promise while more of the daily budget is reserved. */
export type Verdict = SpendingRefusal | null | Promise<SpendingRefusal | null>;

export class SpendingMeter {
  /** Attempts that ended: what each cost (the provider's usage, or the estimate when it reported none). */
  private settled: number;
  /** Attempts streaming now: their running estimates, by key. */
  private readonly live = new Map<string, number>();
  private liveTotal = 0;
  private held = 0;
  private reserving: Promise<void> | null = null;

  constructor(
    private readonly limits: SpendingLimits,
    alreadySpent = 0,
  ) {
    this.settled = alreadySpent;
  }

  get budgetMicros(): number | null {
    return this.limits.budgetMicros;
  }

  spent(): number {
    return this.settled + this.liveTotal;
  }

  /**
   * Sets attempt `key`'s running estimate to `estimate` if the run may spend that much: null when
   * it may (synchronously unless more of the daily budget must be reserved first), else why not
   * (and the estimate stays where it was).
   */
  admit(key: string, estimate: number): Verdict {
    const total = this.spent() - (this.live.get(key) ?? 0) + estimate;
    const { budgetMicros, reserve } = this.limits;
    if (budgetMicros !== null && total > budgetMicros) return "budget";
    if (!reserve || total <= this.held) return this.setLive(key, estimate);
    return this.reserveFor(total, reserve).then((enough) => (enough ? this.setLive(key, estimate) : "daily"));
  }

  /** Attempt `key` ended: `cost` (the provider's figure, or its estimate) replaces its running estimate. */
  settle(key: string, cost: number): void {
    this.liveTotal -= this.live.get(key) ?? 0;
    this.live.delete(key);
    this.settled += cost;
    this.limits.onChange?.(this.spent());
  }

  private setLive(key: string, estimate: number): null {
    this.liveTotal += estimate - (this.live.get(key) ?? 0);
    this.live.set(key, estimate);
    this.limits.onChange?.(this.spent());
    return null;
  }

  /** Holds at least `total` of the daily budget if it can; one reservation at a time for the whole run. */
  private async reserveFor(total: number, reserve: (more: number) => Promise<number>): Promise<boolean> {
    while (this.reserving) await this.reserving;
    if (total <= this.held) return true;
    const more = Math.ceil(total - this.held + (this.limits.reserveAhead ?? 0));
    this.reserving = reserve(more).then((held) => {
      this.held = Math.max(this.held, held);
    });
    try {
      await this.reserving;
    } finally {
      this.reserving = null;
    }
    return total <= this.held;
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
