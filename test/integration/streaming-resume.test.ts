import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { EVENT_LOG_RETENTION_MS, type ExecutionSession } from "../../src/durable/execution-session";
import type { StoredEvent } from "../../src/events/types";
import { api } from "../helpers/api";
import { newUser } from "../helpers/auth";
import { createToolFor, followEvents, getRecord, startExecution } from "../helpers/executions";
import { advanceClock, sessionStub } from "../helpers/session";
import { outputsOf, readSse, toEvents } from "../helpers/sse";
import { lessonPlanner } from "../helpers/tools";
import { scriptModel, streamOf } from "../helpers/upstream";

const LONG_TEXT = Array.from({ length: 60 }, (_, i) => `word${i}`).join(" ");

async function runToEnd(chunkDelayMs = 0) {
  const user = newUser();
  const model = await scriptModel(streamOf(LONG_TEXT, 7, { chunkDelayMs }));
  const tool = await createToolFor(user, lessonPlanner(model));
  const execution = await startExecution(user, tool.id, { topic: "resume" });
  return { user, execution, tool };
}

const nonDeltas = (events: readonly StoredEvent[]) => events.filter((item) => item.type !== "prompt.delta");

/** Checks a sequence a client assembled from several connections against the full log. */
function expectSameStream(assembled: readonly StoredEvent[], full: readonly StoredEvent[]) {
  const ids = assembled.map((item) => item.id);
  expect([...ids].sort((a, b) => a - b)).toEqual(ids);
  expect(new Set(ids).size).toBe(ids.length);
  expect(nonDeltas(assembled)).toEqual(nonDeltas(full));
  expect(outputsOf(assembled)).toEqual(outputsOf(full));
  expect(
    assembled.filter((item) => item.type.startsWith("execution.") && item.type !== "execution.started"),
  ).toHaveLength(1);
}

describe("resuming with Last-Event-ID", () => {
  it("replays a finished execution from any point, exactly once, then closes", async () => {
    const { user, execution } = await runToEnd();
    const full = await followEvents(user, execution.id);
    expect(full.at(-1)?.type).toBe("execution.completed");
    const last = full.at(-1)?.id ?? 0;
    for (const cut of [1, 2, 5, Math.floor(last / 2), last - 2, last - 1]) {
      const head = full.filter((item) => item.id <= cut);
      const tail = await followEvents(user, execution.id, cut);
      expect(tail[0]?.id ?? 0).toBeGreaterThan(cut);
      expectSameStream([...head, ...tail], full);
    }
  });

  it("answers 204 when Last-Event-ID is at or past the end of a finished execution", async () => {
    const { user, execution } = await runToEnd();
    const full = await followEvents(user, execution.id);
    const last = full.at(-1)?.id ?? 0;
    for (const id of [last, last + 10]) {
      const response = await api(`/api/executions/${execution.id}/events`, {
        user,
        headers: { "Last-Event-ID": String(id) },
      });
      expect(response.status).toBe(204);
    }
  });

  it("accepts ?lastEventId= like the header", async () => {
    const { user, execution } = await runToEnd();
    const full = await followEvents(user, execution.id);
    const response = await api(`/api/executions/${execution.id}/events?lastEventId=3`, { user });
    const tail = toEvents((await readSse(response)).messages);
    expect(tail[0]?.id).toBeGreaterThan(3);
    expectSameStream([...full.filter((item) => item.id <= 3), ...tail], full);
  });

  it("rejects a malformed Last-Event-ID with 400", async () => {
    const { user, execution } = await runToEnd();
    const response = await api(`/api/executions/${execution.id}/events`, { user, headers: { "Last-Event-ID": "abc" } });
    expect(response.status).toBe(400);
  });

  it("gives a client that drops many times during a live run every event exactly once", async () => {
    const { user, execution } = await runToEnd(5);
    const assembled: StoredEvent[] = [];
    let connections = 0;
    for (;;) {
      const lastId = assembled.at(-1)?.id ?? 0;
      const response = await api(`/api/executions/${execution.id}/events`, {
        user,
        headers: lastId ? { "Last-Event-ID": String(lastId) } : {},
      });
      if (response.status === 204) break;
      connections++;
      // Drop after every few events, as a flaky network would.
      const read = await readSse(response, (messages) => messages.length >= 3);
      assembled.push(...toEvents(read.messages));
      if (
        read.ended &&
        assembled.at(-1)?.type.startsWith("execution.") &&
        assembled.at(-1)?.type !== "execution.started"
      )
        break;
    }
    expect(connections).toBeGreaterThan(3);
    const full = await followEvents(user, execution.id);
    expectSameStream(assembled, full);
    const record = await getRecord(user, execution.id);
    expect(record.results[0]?.output).toBe(LONG_TEXT);
  });

  it("sends a retry hint first", async () => {
    const { user, execution } = await runToEnd();
    const read = await readSse(await api(`/api/executions/${execution.id}/events`, { user }));
    expect(read.retry).toBeGreaterThan(0);
  });
});

describe("after the event log's retention", () => {
  it("deletes the object's storage and rebuilds the replay from the D1 records", async () => {
    const { user, execution, tool } = await runToEnd();
    const original = await followEvents(user, execution.id);
    const stub = sessionStub(execution.id);
    await runInDurableObject(stub, (instance: ExecutionSession) => {
      advanceClock(instance, EVENT_LOG_RETENTION_MS + 1);
    });
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    expect((await stub.status()).status).toBe("unknown");

    const rebuilt = await followEvents(user, execution.id);
    expect(rebuilt.map((item) => item.type)).toEqual([
      "execution.started",
      "prompt.started",
      "prompt.delta",
      "prompt.completed",
      "prompt.started",
      "prompt.delta",
      "prompt.completed",
      "execution.completed",
    ]);
    expect(outputsOf(rebuilt)).toEqual(outputsOf(original));
    expect(rebuilt[0]).toMatchObject({
      data: {
        executionId: execution.id,
        prompts: tool.prompts.map(({ id, name }) => expect.objectContaining({ id, name })),
      },
    });
    const last = rebuilt.at(-1)?.id ?? 0;
    expect(
      (await api(`/api/executions/${execution.id}/events`, { user, headers: { "Last-Event-ID": String(last) } }))
        .status,
    ).toBe(204);
  });
});
