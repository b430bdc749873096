import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { coalesceDeltas, EventLog } from "../../src/durable/event-log";
import { event, type StoredEvent } from "../../src/events/types";
import { countingStorage, type StorageWrites } from "../helpers/counting-storage";

/** Runs `use` with an EventLog over a fresh Durable Object's real SQLite storage, its writes counted. */
function withLog<T>(
  use: (open: () => EventLog, state: DurableObjectState, writes: StorageWrites) => T | Promise<T>,
): Promise<T> {
  const stub = env.EXECUTION_SESSION.get(env.EXECUTION_SESSION.idFromName(`log-${crypto.randomUUID()}`));
  const writes: StorageWrites = { rows: 0, kvPuts: 0 };
  return runInDurableObject(stub, (_instance, state) => {
    const storage = countingStorage({ sql: state.storage.sql, kv: state.storage.kv }, writes);
    return use(() => new EventLog(storage.sql, storage.kv), state, writes);
  });
}

const delta = (promptId: string, text: string) => event("prompt.delta", { promptId, delta: text });

describe("EventLog", () => {
  it("gives every event the next id, starting at 1", () =>
    withLog((open) => {
      const log = open();
      const ids = [
        event("execution.started", { executionId: "e", toolId: "t", toolName: "T", prompts: [] }),
        delta("p", "a"),
        delta("p", "b"),
      ].map((item) => log.append(item).id);
      expect(ids).toEqual([1, 2, 3]);
      expect(log.lastId).toBe(3);
    }));

  it("writes a burst of deltas as one storage row, not one per token", () =>
    withLog((open, _state, writes) => {
      const log = open();
      const before = writes.rows;
      for (let i = 0; i < 500; i++) log.append(delta("p", `t${i} `));
      log.flush();
      expect(writes.rows - before).toBe(1);
      log.append(
        event("prompt.completed", { promptId: "p", output: "x", durationMs: 1, usage: null, costMicros: null }),
      );
      expect(writes.rows - before).toBe(2);
    }));

  it("keeps storage rows bounded by size, not tokens, when the output outgrows the memory tail", () =>
    withLog((open, _state, writes) => {
      const log = open();
      const before = writes.rows;
      const token = "t".repeat(256);
      // 6 MB in 24 576 deltas: more than the 4 MB kept in memory.
      for (let i = 0; i < 24_576; i++) log.append(delta("p", token));
      log.flush();
      expect(writes.rows - before).toBeLessThan(40);
      const replayed = open().readAfter(0, Number.POSITIVE_INFINITY);
      expect(
        replayed.reduce((total, item) => total + (item.type === "prompt.delta" ? item.data.delta.length : 0), 0),
      ).toBe(24_576 * 256);
    }));

  it("replays from storage after any id, inside a batch too, with deltas coalesced and nothing lost", () =>
    withLog((open) => {
      const writer = open();
      writer.append(event("prompt.started", { promptId: "a", name: "a", position: 0, model: "m" }));
      const texts = ["He", "llo", " wor", "ld"];
      for (const text of texts) writer.append(delta("a", text));
      writer.append(delta("b", "B!"));
      writer.append(delta("a", "!"));
      writer.append(event("execution.canceled", {}));
      // A new reader has no memory tail: it reads what was stored.
      const reader = open();
      const all = reader.readAfter(0);
      expect(all.map((item) => [item.id, item.type])).toEqual([
        [1, "prompt.started"],
        [5, "prompt.delta"],
        [6, "prompt.delta"],
        [7, "prompt.delta"],
        [8, "execution.canceled"],
      ]);
      for (let cut = 0; cut < 8; cut++) {
        const after = reader.readAfter(cut);
        expect(after.every((item) => item.id > cut)).toBe(true);
        const text = after
          .flatMap((item) => (item.type === "prompt.delta" && item.data.promptId === "a" ? [item.data.delta] : []))
          .join("");
        const expected = ["He", "llo", " wor", "ld", "", "!"].slice(Math.max(0, cut - 1)).join("");
        expect(text).toBe(cut === 0 ? "Hello world!" : expected);
      }
    }));

  it("never reuses an id a client may have seen, even for deltas lost in a crash before their write", () =>
    withLog((open) => {
      const before = open();
      before.append(delta("p", "seen by a client, never stored"));
      // No flush: the object "crashes" here. A restarted log must start past every id handed out.
      const after = open();
      const next = after.append(event("execution.failed", { error: { code: "interrupted", message: "x" } }));
      expect(next.id).toBeGreaterThan(before.lastId);
    }));

  it("reserves ids in blocks, so handing out ids does not write storage on every event", () =>
    withLog((open, _state, writes) => {
      const log = open();
      const before = writes.kvPuts;
      for (let i = 0; i < 500; i++) log.append(delta("p", "x"));
      expect(writes.kvPuts - before).toBe(1);
    }));

  it("rebuilds outputs by the restart rule: only the deltas after a prompt's last start or restart count", () =>
    withLog((open) => {
      const log = open();
      log.append(event("prompt.started", { promptId: "p", name: "p", position: 0, model: "m" }));
      log.append(delta("p", "lost "));
      log.append(delta("q", "other"));
      log.append(
        event("prompt.restarted", { promptId: "p", attempt: 2, reason: { code: "interrupted", message: "x" } }),
      );
      log.append(delta("p", "kept"));
      log.append(
        event("prompt.completed", { promptId: "p", output: "kept", durationMs: 3, usage: null, costMicros: null }),
      );
      const { outputs, completions } = open().progress();
      expect(outputs.get("p")).toBe("kept");
      expect(outputs.get("q")).toBe("other");
      expect(completions.get("p")).toEqual({ output: "kept", durationMs: 3, usage: null, costMicros: null });
      expect(completions.has("q")).toBe(false);
    }));

  it("rebuilds each prompt's output from storage", () =>
    withLog((open) => {
      const log = open();
      log.append(delta("a", "one "));
      log.append(delta("b", "two "));
      log.append(delta("a", "three"));
      log.flush();
      expect(Object.fromEntries(open().outputs())).toEqual({ a: "one three", b: "two " });
    }));
});

describe("coalesceDeltas", () => {
  it("merges consecutive deltas of one prompt under the last id and keeps everything else in order", () => {
    const events: StoredEvent[] = [
      { id: 1, ...delta("a", "x") },
      { id: 2, ...delta("a", "y") },
      { id: 3, ...delta("b", "z") },
      { id: 4, ...delta("a", "w") },
    ] as StoredEvent[];
    expect(coalesceDeltas(events)).toEqual([
      { id: 2, type: "prompt.delta", data: { promptId: "a", delta: "xy" } },
      { id: 3, type: "prompt.delta", data: { promptId: "b", delta: "z" } },
      { id: 4, type: "prompt.delta", data: { promptId: "a", delta: "w" } },
    ]);
  });
});
