// Where a sign-in returns: a path on this service only, never another origin (an open redirect).
const PROBE = "https://service.invalid";
const MAX_LENGTH = 2048;

/**
 * `raw` when it is a same-origin path (`/`, `/#/history`, `/x?y=1`), else `/`. Refused: absolute URLs,
 * scheme-relative `//evil`, `/\evil` (browsers read `\` as `/`), control characters, anything that a
 * URL parser resolves to another origin.
 */
export function safeReturnTo(raw: string | null | undefined): string {
  if (!raw || raw.length > MAX_LENGTH || !raw.startsWith("/")) return "/";
  // biome-ignore lint/suspicious/noControlCharactersInRegex: refusing control characters is the point.
  if (raw.startsWith("//") || raw.includes("\\") || /[\u0000-\u001f\u007f]/.test(raw)) return "/";
  let url: URL;
  try {
    url = new URL(raw, PROBE);
  } catch {
    return "/";
  }
  if (url.origin !== PROBE) return "/";
  return `${url.pathname}${url.search}${url.hash}`;
}
