// Splits long text for storage: D1 and Durable Object SQLite cap a string or row at 2 MB.

/** UTF-16 units per stored part: at most 3 UTF-8 bytes each, so a part stays under 1.5 MB. */
export const MAX_PART_UNITS = 500_000;

/** Splits `text` into parts of at most `maxUnits`, never between the halves of a surrogate pair. */
export function splitText(text: string, maxUnits = MAX_PART_UNITS): string[] {
  if (text.length <= maxUnits) return [text];
  const parts: string[] = [];
  let start = 0;
  while (start < text.length) {
    let end = Math.min(start + maxUnits, text.length);
    const code = text.charCodeAt(end - 1);
    if (end < text.length && code >= 0xd800 && code <= 0xdbff) end--;
    parts.push(text.slice(start, end));
    start = end;
  }
  return parts;
}
