// An execution's event log in the Durable Object's SQLite. Every event gets its id at once and is
// served live from memory; deltas are written to storage in batches (by time and size), so storage
// writes grow with time, not with tokens. Replays coalesce deltas, never reorder or drop them.

import type { LoggedCompletion } from "../engine/run-io";
import type { ExecutionEvent, StoredEvent } from "../events/types";
import { MAX_PART_UNITS, splitText } from "../lib/text-parts";

/** How long deltas may wait in memory before one storage row holds them all. */
export const DELTA_FLUSH_MS = 200;
const DELTA_FLUSH_BYTES = 256 * 1024;
/** Recent events kept in memory for live followers. */
const TAIL_MAX_BYTES = 4 * 1024 * 1024;
/** Ids are reserved in blocks so a restarted object never reuses an id a client already saw. */
const ID_BLOCK = 1024;

type DeltaSegment = [promptId: string, text: string];
type RowBody = { e: ExecutionEvent } | { d: DeltaSegment[] };

interface Row extends Record<string, SqlStorageValue> {
  first_id: number;
  last_id: number;
  body: string;
}

const size = (event: StoredEvent) =>
  event.type === "prompt.delta" ? event.data.delta.length + 64 : JSON.stringify(event.data).length + 64;

/** Merges consecutive deltas of the same prompt; the merged event keeps the last id. */
export function coalesceDeltas(events: readonly StoredEvent[]): StoredEvent[] {
  const out: StoredEvent[] = [];
  for (const current of events) {
    const previous = out.at(-1);
    if (
      previous?.type === "prompt.delta" &&
      current.type === "prompt.delta" &&
      previous.data.promptId === current.data.promptId
    ) {
      out[out.length - 1] = {
        id: current.id,
        type: "prompt.delta",
        data: { promptId: current.data.promptId, delta: previous.data.delta + current.data.delta },
      };
    } else {
      out.push(current);
    }
  }
  return out;
}

export class EventLog {
  private nextId: number;
  private reservedThrough: number;
  private pending: { firstId: number; segments: DeltaSegment[]; bytes: number } | null = null;
  private flushTimer: ReturnType<typeof setTimeout> | undefined;
  private tail: StoredEvent[] = [];
  private tailBytes = 0;

  constructor(
    private readonly sql: SqlStorage,
    private readonly kv: SyncKvStorage,
  ) {
    sql.exec(
      "CREATE TABLE IF NOT EXISTS event_log (last_id INTEGER PRIMARY KEY, first_id INTEGER NOT NULL, body TEXT NOT NULL)",
    );
    // A body over one part's size (a multi-megabyte prompt.completed) is stored here; its event_log body is "".
    sql.exec(
      "CREATE TABLE IF NOT EXISTS event_log_parts (last_id INTEGER NOT NULL, part INTEGER NOT NULL, text TEXT NOT NULL, PRIMARY KEY (last_id, part))",
    );
    const stored = sql.exec<{ last: number | null }>("SELECT max(last_id) AS last FROM event_log").one().last ?? 0;
    this.reservedThrough = Math.max(stored, kv.get<number>("eventIdsReservedThrough") ?? 0);
    this.nextId = this.reservedThrough + 1;
  }

  /** The id of the last event appended (0 when empty). */
  get lastId(): number {
    return this.nextId - 1;
  }

  /** Assigns the next id; deltas wait for a batched write, other events are written at once. */
  append(event: ExecutionEvent): StoredEvent {
    const stored = { ...event, id: this.allocateId() } as StoredEvent;
    if (stored.type === "prompt.delta") {
      this.pending ??= { firstId: stored.id, segments: [], bytes: 0 };
      this.pending.segments.push([stored.data.promptId, stored.data.delta]);
      this.pending.bytes += stored.data.delta.length;
      if (this.pending.bytes >= DELTA_FLUSH_BYTES) this.flush();
      else this.flushTimer ??= setTimeout(() => this.flush(), DELTA_FLUSH_MS);
    } else {
      this.flush();
      this.write(stored.id, stored.id, { e: event });
    }
    this.remember(stored);
    return stored;
  }

  /** Writes buffered deltas as one row. */
  flush(): void {
    clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    if (!this.pending) return;
    const { firstId, segments } = this.pending;
    this.pending = null;
    this.write(firstId, firstId + segments.length - 1, { d: segments });
  }

  /** Events after `afterId`, up to about `maxBytes` (at least one when any), deltas coalesced. */
  readAfter(afterId: number, maxBytes = 512 * 1024): StoredEvent[] {
    if (afterId >= this.lastId) return [];
    const first = this.tail[0];
    // Without a tail (released, or a fresh object) everything is in storage.
    const events =
      first && afterId >= first.id - 1 ? this.fromTail(afterId, maxBytes) : this.fromStorage(afterId, maxBytes);
    return coalesceDeltas(events);
  }

  /**
   * Every prompt's output so far and its logged completion, rebuilt from storage (after a restart,
   * or to repair records). A prompt's output is its deltas after its last `prompt.started` or
   * `prompt.restarted`: what an interrupted attempt sent is superseded by the restart.
   */
  progress(): { outputs: Map<string, string>; completions: Map<string, LoggedCompletion>; loggedCalls: Set<string> } {
    this.flush();
    const outputs = new Map<string, string>();
    const completions = new Map<string, LoggedCompletion>();
    const loggedCalls = new Set<string>();
    for (const row of this.sql.exec<Row>("SELECT first_id, last_id, body FROM event_log ORDER BY last_id").toArray()) {
      const body = this.bodyOf(row);
      if ("d" in body) {
        for (const [promptId, text] of body.d) outputs.set(promptId, (outputs.get(promptId) ?? "") + text);
      } else if (body.e.type === "prompt.started" || body.e.type === "prompt.restarted") {
        outputs.set(body.e.data.promptId, "");
      } else if (body.e.type === "prompt.completed") {
        const { promptId, output, usage, durationMs, costMicros } = body.e.data;
        completions.set(promptId, { output, usage, durationMs, costMicros: costMicros ?? null });
      } else if (body.e.type === "tool.completed") {
        loggedCalls.add(body.e.data.callId);
      }
    }
    return { outputs, completions, loggedCalls };
  }

  /** Every prompt's output so far (see `progress`). */
  outputs(): Map<string, string> {
    return this.progress().outputs;
  }

  /** Writes what is buffered and lets go of the in-memory tail (a finished run replays from storage). */
  releaseMemory(): void {
    this.flush();
    this.tail = [];
    this.tailBytes = 0;
  }

  /** Stops the flush timer (before the object's storage is deleted). */
  close(): void {
    clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    this.pending = null;
  }

  private allocateId(): number {
    const id = this.nextId++;
    if (id > this.reservedThrough) {
      this.reservedThrough = id + ID_BLOCK - 1;
      this.kv.put("eventIdsReservedThrough", this.reservedThrough);
    }
    return id;
  }

  private write(firstId: number, lastId: number, body: RowBody): void {
    const parts = splitText(JSON.stringify(body));
    this.sql.exec(
      "INSERT INTO event_log (last_id, first_id, body) VALUES (?, ?, ?)",
      lastId,
      firstId,
      parts.length === 1 ? parts[0] : "",
    );
    if (parts.length === 1) return;
    for (const [part, text] of parts.entries())
      this.sql.exec("INSERT INTO event_log_parts (last_id, part, text) VALUES (?, ?, ?)", lastId, part, text);
  }

  private bodyOf(row: Row): RowBody {
    if (row.body !== "") return JSON.parse(row.body) as RowBody;
    const parts = this.sql
      .exec<{ text: string }>("SELECT text FROM event_log_parts WHERE last_id = ? ORDER BY part", row.last_id)
      .toArray();
    return JSON.parse(parts.map((part) => part.text).join("")) as RowBody;
  }

  private remember(stored: StoredEvent): void {
    this.tail.push(stored);
    this.tailBytes += size(stored);
    // Only stored events may leave memory (storage must cover everything before the tail), so the
    // pending batch stays; the tail may exceed its budget by at most one batch.
    const firstUnstored = this.pending?.firstId ?? Number.POSITIVE_INFINITY;
    while (this.tailBytes > TAIL_MAX_BYTES && (this.tail[0]?.id ?? firstUnstored) < firstUnstored) {
      const dropped = this.tail.shift();
      if (dropped) this.tailBytes -= size(dropped);
    }
  }

  private fromTail(afterId: number, maxBytes: number): StoredEvent[] {
    const first = this.tail[0]?.id ?? 0;
    const out: StoredEvent[] = [];
    let bytes = 0;
    for (
      let i = Math.max(0, afterId + 1 - first);
      i < this.tail.length && (out.length === 0 || bytes < maxBytes);
      i++
    ) {
      const item = this.tail[i];
      if (!item) break;
      out.push(item);
      bytes += size(item);
    }
    return out;
  }

  private fromStorage(afterId: number, maxBytes: number): StoredEvent[] {
    this.flush();
    const out: StoredEvent[] = [];
    let bytes = 0;
    const rows = this.sql
      .exec<Row>("SELECT first_id, last_id, body FROM event_log WHERE last_id > ? ORDER BY last_id LIMIT 256", afterId)
      .toArray();
    for (const row of rows) {
      const body = this.bodyOf(row);
      if ("e" in body) {
        out.push({ ...body.e, id: row.last_id } as StoredEvent);
      } else {
        body.d.forEach(([promptId, delta], index) => {
          const id = row.first_id + index;
          if (id > afterId) out.push({ id, type: "prompt.delta", data: { promptId, delta } });
        });
      }
      bytes += row.body.length || MAX_PART_UNITS;
      if (bytes >= maxBytes) break;
    }
    return out;
  }
}
