// Structured JSON logs (one line each) so `wrangler tail` and Workers Logs can filter by field.

type Level = "info" | "warn" | "error";

/** Logs one event with its fields as a single JSON line. */
export function log(level: Level, message: string, fields: Record<string, unknown> = {}): void {
  const line = JSON.stringify({ level, message, ...fields });
  if (level === "error") console.error(line);
  else if (level === "warn") console.warn(line);
  else console.log(line);
}

/** An error's name and message, safe for a log line (no stack). */
export function describeError(error: unknown): { name: string; message: string } {
  return error instanceof Error
    ? { name: error.name, message: error.message }
    : { name: "Unknown", message: String(error) };
}
