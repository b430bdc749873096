// Third-party SSE clients against the real Worker out of process: what a browser integration does.
import { type EventSourceMessage, fetchEventSource } from "@microsoft/fetch-event-source";
import { EventSource } from "eventsource";
import { describe, expect, it } from "vitest";
import { apiJson, baseUrl, createTool, newUser, scriptModel, signToken } from "./helpers";

// fetch-event-source is written for browsers; in Node it needs `window` for its timers and a `document` to (un)listen on.
const browserish = globalThis as { window?: unknown; document?: unknown };
browserish.window ??= globalThis;
browserish.document ??= { hidden: false, addEventListener() {}, removeEventListener() {} };

const EVENT_NAMES = [
  "execution.started",
  "prompt.started",
  "prompt.delta",
  "prompt.completed",
  "prompt.failed",
  "execution.completed",
  "execution.failed",
  "execution.canceled",
  "execution.timed_out",
];
const TEXT = Array.from({ length: 40 }, (_, i) => `w${i} `).join("");

function slowStream(chunkDelayMs: number) {
  const chunks = TEXT.match(/.{1,4}/g) ?? [];
  return scriptModel({ kind: "stream", chunks, chunkDelayMs });
}

describe("native EventSource semantics (the eventsource package)", () => {
  it("follows a run across server-closed connections with ?token=, resuming by Last-Event-ID, each event exactly once, and stops at 204", async () => {
    const user = newUser();
    const tool = await createTool(user, await slowStream(60));
    const execution = await apiJson<{ id: string; eventsUrl: string; streamToken: string }>("/api/executions", user, {
      toolId: tool.id,
      inputs: { topic: "e2e" },
    });
    const received: { id: number; type: string; data: Record<string, unknown> }[] = [];
    let opens = 0;
    await new Promise<void>((resolve, reject) => {
      const source = new EventSource(`${baseUrl()}${execution.eventsUrl}?token=${execution.streamToken}`);
      const timer = setTimeout(() => {
        source.close();
        reject(new Error(`no end after ${received.length} events`));
      }, 45_000);
      source.onopen = () => opens++;
      for (const name of EVENT_NAMES) {
        source.addEventListener(name, (message) =>
          received.push({
            id: Number(message.lastEventId),
            type: name,
            data: JSON.parse(message.data) as Record<string, unknown>,
          }),
        );
      }
      source.onerror = () => {
        // After the terminal event the server closes; the reconnect gets 204 and EventSource gives up.
        if (source.readyState === EventSource.CLOSED) {
          clearTimeout(timer);
          resolve();
        }
      };
    });
    expect(opens).toBeGreaterThanOrEqual(2);
    const ids = received.map((item) => item.id);
    expect(ids).toEqual([...new Set(ids)].sort((a, b) => a - b));
    const output = received
      .filter((item) => item.type === "prompt.delta")
      .map((item) => item.data.delta)
      .join("");
    expect(output).toBe(TEXT);
    expect(received.filter((item) => item.type === "execution.completed")).toHaveLength(1);
    expect(received.at(-1)?.type).toBe("execution.completed");
    const record = await apiJson<{ status: string; results: { output: string }[] }>(
      `/api/executions/${execution.id}`,
      user,
    );
    expect(record).toMatchObject({ status: "completed", results: [{ output: TEXT }] });
  });
});

describe("fetch-based SSE with POST (@microsoft/fetch-event-source)", () => {
  it("runs the original endpoint with a Bearer header and receives the original frames to the end", async () => {
    const user = newUser();
    const tool = await createTool(user, await slowStream(5));
    const frames: { type: string; [key: string]: unknown }[] = [];
    let executionId: string | null = null;
    await fetchEventSource(`${baseUrl()}/api/assistant-architect/stream`, {
      method: "POST",
      headers: { Authorization: `Bearer ${signToken(user)}`, "Content-Type": "application/json" },
      body: JSON.stringify({ toolId: tool.id, inputs: { topic: "legacy" } }),
      openWhenHidden: true,
      fetch,
      async onopen(response) {
        expect(response.status).toBe(200);
        executionId = response.headers.get("X-Execution-Id");
      },
      onmessage(message: EventSourceMessage) {
        // This library also reports data-less blocks (pings); the SSE spec dispatches nothing for them.
        if (!message.data) return;
        expect(message.event).toBe("");
        frames.push(JSON.parse(message.data) as { type: string });
      },
      onclose() {
        // Closed by the server after the terminal frame: stop, do not retry.
      },
      onerror(error) {
        throw error;
      },
    });
    expect(frames[0]).toEqual({ type: "metadata", totalPrompts: 1, toolName: "E2E" });
    expect(
      frames
        .filter((frame) => frame.type === "token")
        .map((frame) => frame.token)
        .join(""),
    ).toBe(TEXT);
    expect(frames.at(-1)).toEqual({ type: "complete", executionId });
  });

  it("resumes a dropped GET stream with the Last-Event-ID header and completes the output exactly", async () => {
    const user = newUser();
    const tool = await createTool(user, await slowStream(20));
    const execution = await apiJson<{ id: string; eventsUrl: string }>("/api/executions", user, {
      toolId: tool.id,
      inputs: { topic: "drop" },
    });
    const deltas: string[] = [];
    let lastId = "";
    let terminal = "";
    for (let connection = 0; connection < 50 && !terminal; connection++) {
      const controller = new AbortController();
      let seen = 0;
      await fetchEventSource(`${baseUrl()}${execution.eventsUrl}`, {
        headers: { Authorization: `Bearer ${signToken(user)}`, ...(lastId ? { "Last-Event-ID": lastId } : {}) },
        openWhenHidden: true,
        fetch,
        signal: controller.signal,
        async onopen(response) {
          if (response.status === 204) controller.abort();
        },
        onmessage(message) {
          if (!message.data) return;
          lastId = message.id;
          if (message.event === "prompt.delta") deltas.push((JSON.parse(message.data) as { delta: string }).delta);
          if (message.event.startsWith("execution.") && message.event !== "execution.started") terminal = message.event;
          // Drop the connection after a few events, as a flaky network would.
          if (++seen === 4) controller.abort();
        },
        onclose() {},
        onerror(error) {
          throw error;
        },
      }).catch(() => undefined);
    }
    expect(terminal).toBe("execution.completed");
    expect(deltas.join("")).toBe(TEXT);
  });
});
