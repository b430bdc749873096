import { describe, expect, it } from "vitest";
import { ChangeNotifier, createEventStream, type EventSourceView } from "../../src/durable/event-stream";
import { event, type StoredEvent } from "../../src/events/types";
import { readSse } from "../helpers/sse";

function source(events: StoredEvent[] = []) {
  const view: EventSourceView & { events: StoredEvent[]; done: boolean } = {
    events,
    done: false,
    notifier: new ChangeNotifier(),
    read: (afterId) => view.events.filter((item) => item.id > afterId),
    finished: () => view.done,
  };
  return view;
}

const options = (overrides: Partial<Parameters<typeof createEventStream>[1]> = {}) => {
  const released = { count: 0 };
  return {
    released,
    options: {
      afterId: 0,
      format: "events" as const,
      legacy: { executionId: "e", toolName: "T", promptIds: ["p"], promptModels: ["m"], canceledPromptIds: () => [] },
      retryMs: 2000,
      pingIntervalMs: 60_000,
      maxConnectionMs: 60_000,
      onRelease: () => released.count++,
      ...overrides,
    },
  };
};

describe("createEventStream", () => {
  it("sends a ': ping' comment while idle", async () => {
    const view = source();
    const { options: opts } = options({ pingIntervalMs: 20, maxConnectionMs: 200 });
    const read = await readSse(new Response(createEventStream(view, opts)), () => false);
    expect(read.comments.filter((comment) => comment.trim() === "ping").length).toBeGreaterThanOrEqual(2);
  });

  it("closes a live connection at its time cap without a terminal event, and releases it", async () => {
    const view = source([{ id: 1, ...event("prompt.delta", { promptId: "p", delta: "x" }) } as StoredEvent]);
    const { options: opts, released } = options({ maxConnectionMs: 50 });
    const read = await readSse(new Response(createEventStream(view, opts)));
    expect(read.ended).toBe(true);
    expect(read.messages.map((message) => message.id)).toEqual(["1"]);
    expect(released.count).toBe(1);
  });

  it("follows new events as they are appended and closes after the terminal event", async () => {
    const view = source();
    const { options: opts, released } = options();
    const reading = readSse(new Response(createEventStream(view, opts)));
    view.events.push({ id: 1, ...event("prompt.delta", { promptId: "p", delta: "a" }) } as StoredEvent);
    view.notifier.notify();
    await scheduler.wait(0);
    view.events.push({ id: 2, ...event("execution.canceled", {}) } as StoredEvent);
    view.done = true;
    view.notifier.notify();
    const read = await reading;
    expect(read.messages.map((message) => [message.id, message.event])).toEqual([
      ["1", "prompt.delta"],
      ["2", "execution.canceled"],
    ]);
    expect(released.count).toBe(1);
    expect(view.notifier.waiting).toBe(0);
  });

  it("releases the subscriber when the client cancels", async () => {
    const view = source();
    const { options: opts, released } = options();
    const stream = createEventStream(view, opts);
    const reader = stream.getReader();
    const pending = reader.read();
    await scheduler.wait(0);
    expect(view.notifier.waiting).toBe(1);
    await reader.cancel();
    await pending;
    expect(released.count).toBe(1);
    expect(view.notifier.waiting).toBe(0);
  });

  it("sends the retry hint inside the first block, never as a data-less block of its own", async () => {
    const view = source([{ id: 1, ...event("execution.canceled", {}) } as StoredEvent]);
    view.done = true;
    const { options: opts } = options();
    const text = await new Response(createEventStream(view, opts)).text();
    expect(text).toBe("retry: 2000\nid: 1\nevent: execution.canceled\ndata: {}\n\n");
  });

  it("speaks the original frame format when asked", async () => {
    const view = source([{ id: 1, ...event("execution.canceled", {}) } as StoredEvent]);
    view.done = true;
    const { options: opts } = options({ format: "legacy" });
    const read = await readSse(new Response(createEventStream(view, opts)));
    expect(read.messages[0]?.event).toBeUndefined();
    expect(JSON.parse(read.messages[0]?.data ?? "{}")).toEqual({
      type: "error",
      error: "Execution canceled",
      code: "canceled",
    });
  });
});
