// Small statistics for benchmark samples, and the clock they are read on.

/** Now, in ms since the epoch with sub-ms precision: the clock the scripted upstream stamps chunks with. */
export const now = () => performance.timeOrigin + performance.now();

const STAMP = /⟨([\d.]+)⟩/g;

/** For each chunk stamp `⟨send time⟩` in `text`, received at `at`: the ms it took to arrive. */
export const stampLatencies = (text: string, at: number): number[] =>
  Array.from(text.matchAll(STAMP), (match) => at - Number(match[1]));

export function percentile(samples: readonly number[], p: number): number {
  const sorted = samples.filter((value) => Number.isFinite(value)).sort((a, b) => a - b);
  if (sorted.length === 0) return Number.NaN;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index] ?? Number.NaN;
}

export const median = (samples: readonly number[]) => percentile(samples, 50);

export const fmt = (value: number, digits = 1) => (Number.isFinite(value) ? value.toFixed(digits) : "n/a");
