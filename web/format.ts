// How figures read on the page: money from micro-dollars, durations, token counts.

/** Micro-dollars as dollars: `$0.00042`, `$1.25`; `—` for no price. */
export function money(micros: number | null | undefined): string {
  if (micros === null || micros === undefined) return "—";
  const dollars = micros / 1_000_000;
  if (dollars === 0) return "$0";
  // Under a cent every micro-dollar shows (trailing zeros dropped): budgets are often that small.
  return dollars < 0.01 ? `$${dollars.toFixed(6).replace(/0+$/, "")}` : `$${dollars.toFixed(2)}`;
}

export const seconds = (ms: number | null | undefined): string | null =>
  ms === null || ms === undefined ? null : `${(ms / 1000).toFixed(1)} s`;

/** Milliseconds between two ISO times, or null. */
export function between(from: string | null, to: string | null): number | null {
  return from && to ? Date.parse(to) - Date.parse(from) : null;
}

export const tokens = (usage: { inputTokens: number; outputTokens: number } | null): string | null =>
  usage ? `${usage.inputTokens} in / ${usage.outputTokens} out tokens` : null;

/** The start of Markdown as one plain line (a folded panel, a list's preview): no marks, no line breaks. */
export const plainPreview = (text: string, chars = 160): string =>
  text
    .slice(0, chars * 2)
    .replace(/[#*_`>|[\]]+/g, " ")
    .replace(/\s+/g, " ")
    .trim()
    .slice(0, chars);

/** Text for a file name: letters, digits and dashes. */
export const slug = (text: string): string =>
  text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-|-$/g, "") || "run";
