// Agent steps for tests: a one-step draft run whose model (scripted) calls the test MCP server's tools,
// the calls the server saw, and the run's record and events as the API gives them.
import { expect } from "vitest";
import type { StoredEvent } from "../../src/events/types";
import type { MCP_TEST_TOOLS, McpCallCounts } from "../upstream/mcp-names";
import type { UpstreamAttempt } from "../upstream/scripts";
import { api, apiJson } from "./api";
import { mcpCounts } from "./mcp";
import { readSse, toEvents } from "./sse";
import { scriptModel } from "./upstream";

/** The function name the model sees for a tool of the test server configured as `tools`. */
export const fn = (tool: keyof typeof MCP_TEST_TOOLS) => `tools__${tool}`;

/** The test server's counts for the deployment's configured servers (one id for every test). */
export const serverCalls = async (tool: keyof typeof MCP_TEST_TOOLS): Promise<number> =>
  ((await mcpCounts("deployment")) as McpCallCounts).calls[tool] ?? 0;

export interface AgentRun {
  id: string;
  model: string;
  promptId: string;
}

/** Starts a one-step agent run (a draft) whose model answers `attempts` turn by turn. */
export async function startAgent(
  user: string,
  attempts: UpstreamAttempt[],
  options: { tools?: string[]; maxSteps?: number; content?: string; model?: string; budgetMicros?: number } = {},
): Promise<AgentRun> {
  const model = options.model ?? (await scriptModel(...attempts));
  const { status, body } = await apiJson<{ id: string }>("/api/executions", {
    user,
    body: {
      draft: {
        name: "Agent",
        inputFields: [],
        ...(options.budgetMicros ? { budget: { maxCostMicros: options.budgetMicros } } : {}),
        prompts: [
          {
            name: "agent",
            position: 0,
            model,
            content: options.content ?? "Plan a lesson on volcanoes.",
            tools: options.tools ?? ["tools.*"],
            ...(options.maxSteps ? { maxSteps: options.maxSteps } : {}),
          },
        ],
      },
      inputs: {},
    },
  });
  expect(status, JSON.stringify(body)).toBe(201);
  const record = await recordOf(user, body.id);
  return { id: body.id, model, promptId: record.results[0]?.promptId ?? "" };
}

export interface AgentRecord {
  status: string;
  pendingToolCalls: { promptId: string; callId: string; name: string; arguments: unknown }[];
  results: {
    promptId: string;
    status: string;
    output: string;
    error: { code: string; message: string } | null;
    toolCalls?: {
      callId: string;
      name: string;
      status: string;
      decision?: string;
      decidedBy?: string;
      reason?: string;
      isError?: boolean;
      output?: string;
      arguments: unknown;
    }[];
  }[];
}

export async function recordOf(user: string, id: string): Promise<AgentRecord> {
  const { status, body } = await apiJson<AgentRecord>(`/api/executions/${id}`, { user });
  expect(status).toBe(200);
  return body;
}

/** Follows the events from the start until the server closes the stream (the end, or a time cap). */
export async function eventsUntilEnd(user: string, id: string): Promise<StoredEvent[]> {
  const response = await api(`/api/executions/${id}/events`, { user });
  expect(response.status).toBe(200);
  return toEvents((await readSse(response)).messages);
}

/** Decides a call through the API. */
export const decide = (user: string, id: string, callId: string, body: { decision: string; reason?: string }) =>
  apiJson<{ callId: string; status: string; decision?: string; error?: { code: string } }>(
    `/api/executions/${id}/tool-calls/${callId}`,
    { user, body },
  );
