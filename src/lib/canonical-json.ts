// JSON with every object's keys sorted: the same value gives the same text whatever order a
// client's serializer wrote its keys in (idempotency fingerprints compare requests this way).

/** The canonical JSON text of `value` (keys sorted at every depth; `undefined` members left out, as JSON does). */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, item: unknown) => {
    if (item === null || typeof item !== "object" || Array.isArray(item)) return item;
    const record = item as Record<string, unknown>;
    return Object.fromEntries(
      Object.keys(record)
        .sort()
        .map((key) => [key, record[key]]),
    );
  });
}
