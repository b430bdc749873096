// Typed client for the Assistant Architect Stream API, for browsers and Node; no dependencies.
// `executions.stream` follows an execution's events and reconnects by itself with Last-Event-ID.

import type { StoredEvent, ToolCallRecord } from "../events/types";
import { apiErrorOf, StreamError } from "./errors";
import { createSseParser } from "./sse-parser";
import type {
  CreatedExecution,
  CreateExecutionInput,
  ExecutionListFilter,
  ExecutionRecord,
  ExecutionSummary,
  McpTools,
  Model,
  RerunInput,
  Tool,
  ToolDecision,
  ToolInput,
  ToolSummary,
} from "./types";

export type {
  EventError,
  ExecutionEvent,
  ExecutionEventType,
  PendingToolCall,
  StoredEvent,
  ToolCallRecord,
  ToolDecisionBy,
  Usage,
} from "../events/types";
export type { ToolCallStatus } from "../schemas/statuses";
export { ApiError, apiErrorOf, StreamError } from "./errors";
export {
  type ExecutionState,
  type ExecutionStatus,
  foldEvent,
  type PromptState,
  type PromptStatus,
  type ToolCallState,
} from "./fold";

export type * from "./types";

export interface ClientOptions {
  /** Where the API is, e.g. "https://stream.example.edu" ("" for the same origin). */
  baseUrl: string;
  /**
   * The Bearer token, or a function that returns a fresh one. Absent or empty: no Authorization header,
   * so a page on the service's own origin is signed in by its session cookie.
   */
  token?: string | (() => string | Promise<string>);
  /** Sent with every request when set; a page uses `"same-origin"` (the browsers' default) for its session cookie. Left out elsewhere: some runtimes refuse the field. */
  credentials?: "omit" | "same-origin" | "include";
  fetch?: typeof fetch;
}

export interface StreamOptions {
  /** Resume after this event id (0 or absent: from the start). */
  lastEventId?: number;
  /** Aborting it ends the loop quietly (no error); the run itself goes on (cancel stops it). */
  signal?: AbortSignal;
  /** Consecutive failed reconnects before giving up. Default 8. */
  maxRetries?: number;
  /** First reconnect delay; doubles each failure, capped at 15 s. Default 500 ms. */
  retryDelayMs?: number;
}

const TERMINAL = new Set(["execution.completed", "execution.failed", "execution.canceled", "execution.timed_out"]);

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener(
      "abort",
      () => {
        clearTimeout(timer);
        reject(signal.reason);
      },
      { once: true },
    );
  });
}

/** Creates a client. Every method throws ApiError for an error answer. */
export function createClient(options: ClientOptions) {
  // Called through a wrapper so a browser's fetch keeps its `this`.
  const doFetch = options.fetch ?? ((input: string, init?: RequestInit) => fetch(input, init));
  const credentials = options.credentials === undefined ? {} : { credentials: options.credentials };
  /** `{Authorization}` when there is a token; nothing when the cookie signs the requests in. */
  const authorization = async (): Promise<Record<string, string>> => {
    const token = typeof options.token === "function" ? await options.token() : options.token;
    return token ? { Authorization: `Bearer ${token}` } : {};
  };
  const url = (path: string) => `${options.baseUrl.replace(/\/$/, "")}${path}`;

  async function request<T>(
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<T> {
    const response = await doFetch(url(path), {
      method,
      ...credentials,
      headers: {
        ...(await authorization()),
        ...(body === undefined ? {} : { "Content-Type": "application/json" }),
        ...headers,
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (!response.ok) throw await apiErrorOf(response);
    return (response.status === 204 ? undefined : await response.json()) as T;
  }

  /** Follows an execution's events, reconnecting after drops; ends after the terminal event. */
  async function* stream(executionId: string, streamOptions: StreamOptions = {}): AsyncGenerator<StoredEvent> {
    let lastId = streamOptions.lastEventId ?? 0;
    let failures = 0;
    let retryMs = streamOptions.retryDelayMs ?? 500;
    const maxRetries = streamOptions.maxRetries ?? 8;
    const backOff = async (cause: unknown) => {
      failures++;
      if (failures > maxRetries) throw new StreamError(`Lost the event stream after ${maxRetries} reconnects`, cause);
      await sleep(Math.min(15_000, retryMs * 2 ** (failures - 1)), streamOptions.signal);
    };
    for (;;) {
      let response: Response;
      try {
        response = await doFetch(url(`/api/executions/${encodeURIComponent(executionId)}/events`), {
          ...credentials,
          headers: {
            ...(await authorization()),
            ...(lastId > 0 ? { "Last-Event-ID": String(lastId) } : {}),
          },
          signal: streamOptions.signal,
        });
      } catch (error) {
        if (streamOptions.signal?.aborted) return;
        await backOff(error);
        continue;
      }
      if (response.status === 204) return;
      if (!response.ok) {
        const error = await apiErrorOf(response);
        if (response.status < 500 && response.status !== 429) throw error;
        await backOff(error);
        continue;
      }
      const pending: StoredEvent[] = [];
      const parser = createSseParser(
        (message) => {
          if (message.event && message.id)
            pending.push({
              id: Number(message.id),
              type: message.event,
              data: JSON.parse(message.data),
            } as StoredEvent);
        },
        (ms) => (retryMs = ms),
      );
      const reader = (response.body as ReadableStream<Uint8Array>).getReader();
      const decoder = new TextDecoder();
      try {
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          parser.feed(decoder.decode(value, { stream: true }));
          while (pending.length > 0) {
            // Aborted while the caller handled the last event: the loop ends here, without an error.
            if (streamOptions.signal?.aborted) return;
            const next = pending.shift() as StoredEvent;
            lastId = next.id;
            failures = 0;
            yield next;
            if (TERMINAL.has(next.type)) return;
          }
        }
      } catch (error) {
        if (streamOptions.signal?.aborted) return;
        await backOff(error);
        continue;
      } finally {
        reader.releaseLock();
      }
      // The server closed a live connection (its time cap): come back after the hinted delay.
      await sleep(retryMs, streamOptions.signal).catch(() => undefined);
      if (streamOptions.signal?.aborted) return;
    }
  }

  return {
    tools: {
      /** `sort: "lastUsed"`: by the caller's latest run of each (never-run ones after, newest first). */
      list: (scope: "all" | "mine" | "shared" = "all", options: { sort?: "created" | "lastUsed" } = {}) =>
        request<{ tools: ToolSummary[] }>(
          "GET",
          `/api/tools?scope=${scope}${options.sort ? `&sort=${options.sort}` : ""}`,
        ).then((body) => body.tools),
      get: (id: string) => request<Tool>("GET", `/api/tools/${encodeURIComponent(id)}`),
      create: (tool: ToolInput) => request<Tool>("POST", "/api/tools", tool),
      update: (id: string, tool: ToolInput) => request<Tool>("PUT", `/api/tools/${encodeURIComponent(id)}`, tool),
      delete: (id: string) => request<void>("DELETE", `/api/tools/${encodeURIComponent(id)}`),
    },
    models: {
      /** The model catalogue with prices; `allowUnlisted`: whether other names may be used (unpriced). */
      list: () => request<{ models: Model[]; allowUnlisted: boolean }>("GET", "/api/models"),
    },
    executions: {
      /**
       * Runs a saved tool (`toolId`) or an unsaved one (`draft`: a tool body, checked as a save checks it;
       * its record has `toolId: null`). With a `budget`, the lower of it and the tool's applies.
       */
      create: (body: CreateExecutionInput, options: { idempotencyKey?: string } = {}) =>
        request<CreatedExecution>(
          "POST",
          "/api/executions",
          body,
          options.idempotencyKey ? { "Idempotency-Key": options.idempotencyKey } : {},
        ),
      get: (id: string) => request<ExecutionRecord>("GET", `/api/executions/${encodeURIComponent(id)}`),
      /** Newest first; `q` matches the inputs and the output previews. */
      list: (query: ExecutionListFilter = {}) => {
        const params = new URLSearchParams(
          Object.entries(query).flatMap(([key, value]): [string, string][] =>
            value === undefined ? [] : [[key, String(value)]],
          ),
        );
        return request<{ executions: ExecutionSummary[]; nextCursor: string | null }>(
          "GET",
          `/api/executions?${params}`,
        );
      },
      cancel: (id: string) =>
        request<{ id: string; status: string }>("POST", `/api/executions/${encodeURIComponent(id)}/cancel`),
      /** Deletes it (a live one is canceled first); every read of it is a 404 from then on. */
      delete: (id: string) => request<void>("DELETE", `/api/executions/${encodeURIComponent(id)}`),
      /** Reruns an ended execution from a step; earlier prompts whose request is unchanged are reused. */
      rerun: (id: string, body: RerunInput = {}, options: { idempotencyKey?: string } = {}) =>
        request<CreatedExecution>(
          "POST",
          `/api/executions/${encodeURIComponent(id)}/rerun`,
          body,
          options.idempotencyKey ? { "Idempotency-Key": options.idempotencyKey } : {},
        ),
      /**
       * Approves or denies a tool call that waits (`pendingToolCalls`, or a `tool.approval_requested`
       * event); answers the call as the record has it. The first decision wins: the same one again is
       * answered as before, a different one is an ApiError 409, an unknown call 404. The run's stream
       * then carries `tool.decided`.
       */
      decide: (id: string, callId: string, body: ToolDecision) =>
        request<ToolCallRecord>(
          "POST",
          `/api/executions/${encodeURIComponent(id)}/tool-calls/${encodeURIComponent(callId)}`,
          body,
        ),
      stream,
    },
    mcp: {
      /** Every tool of the configured MCP servers an agent step may use; servers that could not be listed under `errors`. */
      tools: () => request<McpTools>("GET", "/api/mcp/tools"),
    },
  };
}

export type Client = ReturnType<typeof createClient>;
