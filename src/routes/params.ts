// Request pieces several routes read: resume ids, idempotency keys, list cursors.
import { AppError } from "../lib/errors";
import { idempotencyKey } from "../schemas/api";

/** `Last-Event-ID` (header) or `?lastEventId=`: a non-negative integer; absent means from the start. */
export function parseLastEventId(raw: string | undefined): number {
  if (raw === undefined || raw.trim() === "") return 0;
  if (!/^\d{1,15}$/.test(raw.trim()))
    throw new AppError("validation_failed", "Last-Event-ID must be a non-negative integer");
  return Number(raw.trim());
}

/** The Idempotency-Key header, validated. */
export function readIdempotencyKey(header: string | undefined): string | null {
  if (header === undefined) return null;
  const parsed = idempotencyKey.safeParse(header);
  if (!parsed.success) throw new AppError("validation_failed", "Idempotency-Key must be 1 to 200 characters");
  return parsed.data;
}

/** A list position: the last row's creation time and id. */
export interface Cursor {
  createdAt: number;
  id: string;
}

export const encodeCursor = ({ createdAt, id }: Cursor): string => btoa(`${createdAt}:${id}`);

export function decodeCursor(cursor: string): Cursor {
  try {
    const [createdAt, id] = atob(cursor).split(":");
    if (!createdAt || !id || !/^\d+$/.test(createdAt)) throw new Error("bad cursor");
    return { createdAt: Number(createdAt), id };
  } catch {
    throw new AppError("validation_failed", "Invalid cursor");
  }
}
