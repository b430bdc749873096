// Creates tools and executions through the API and follows their events, for integration tests.
import { expect } from "vitest";
import type { StoredEvent } from "../../src/events/types";
import { api, apiJson } from "./api";
import { readSse, toEvents } from "./sse";
import type { TestToolBody } from "./tools";

export interface CreatedExecution {
  id: string;
  status: string;
  eventsUrl: string;
  streamToken: string;
}

export async function createToolFor(
  user: string,
  body: TestToolBody,
): Promise<{ id: string; prompts: { id: string; name: string }[] }> {
  const { status, body: tool } = await apiJson<{ id: string; prompts: { id: string; name: string }[] }>("/api/tools", {
    user,
    body,
  });
  expect(status).toBe(201);
  return tool;
}

export async function startExecution(
  user: string,
  toolId: string,
  inputs: Record<string, unknown> = {},
  headers: Record<string, string> = {},
): Promise<CreatedExecution> {
  const { status, body } = await apiJson<CreatedExecution>("/api/executions", {
    user,
    body: { toolId, inputs },
    headers,
  });
  expect(status, JSON.stringify(body)).toBe(201);
  return body;
}

/** Follows an execution's events from `afterId` until the server closes the stream. */
export async function followEvents(user: string, executionId: string, afterId = 0): Promise<StoredEvent[]> {
  const response = await api(`/api/executions/${executionId}/events`, {
    user,
    headers: afterId ? { "Last-Event-ID": String(afterId) } : {},
  });
  if (response.status === 204) return [];
  expect(response.status).toBe(200);
  return toEvents((await readSse(response)).messages);
}

export interface ExecutionRecordJson {
  id: string;
  status: string;
  error: { code: string; message: string } | null;
  startedAt: string | null;
  completedAt: string | null;
  results: {
    promptId: string;
    name: string;
    status: string;
    output: string;
    error: { code: string; message: string } | null;
    durationMs: number | null;
    attempts: number;
    usage: { inputTokens: number; outputTokens: number } | null;
  }[];
}

export async function getRecord(user: string, executionId: string): Promise<ExecutionRecordJson> {
  const { status, body } = await apiJson<ExecutionRecordJson>(`/api/executions/${executionId}`, { user });
  expect(status).toBe(200);
  return body;
}

/**
 * Follows the events until the deltas so far spell `text` (what the object has received, not just
 * what the upstream sent), then drops the connection. Returns the last event id seen.
 */
export async function waitForOutput(user: string, executionId: string, text: string): Promise<number> {
  const read = await readSse(
    await api(`/api/executions/${executionId}/events`, { user }),
    (messages) =>
      messages
        .filter((message) => message.event === "prompt.delta")
        .map((message) => (JSON.parse(message.data) as { delta: string }).delta)
        .join("") === text,
  );
  if (read.ended) throw new Error(`the stream ended before the output was "${text}"`);
  return Number(read.messages.at(-1)?.id ?? 0);
}
