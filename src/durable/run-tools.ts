// An execution's agent steps' tools, for one life of its object: each step's tools listed from the
// configured MCP servers (once per server per life), a call run with MCP_CALL_TIMEOUT_MS and the
// result cap, its result stored in the object's storage before it is reported (so a restart never runs
// a call whose result is stored), and the owner's account asked before the run waits for a person.
// A step's `assistant:<toolId>` tools are saved tools run as nested executions (run-nested.ts).
import type { ToolRecord } from "../db/schema";
import type { AgentCall, ToolResult } from "../engine/agent-state";
import type { AgentTools, StepTool } from "../engine/agent-turns";
import { ASSISTANT_PREFIX, assistantDescription, assistantIdOf, assistantInputSchema } from "../engine/assistant-tools";
import type { PlannedPrompt } from "../engine/plan";
import type { Config } from "../lib/config";
import { describeError, log } from "../lib/log";
import { serveDemoMcp } from "../mcp/demo-servers";
import { functionNames, type ToolRef } from "../mcp/function-names";
import { mayRunAgainAfterRestart } from "../mcp/policy";
import { type ListedTool, Toolbox } from "../mcp/toolbox";
import { type NestedHost, type NestedResult, NestedRuns } from "./run-nested";

const RESULT_KEY = "toolresult:";
/** How long connections stay open after the run ended (a cancel's notification is still on its way). */
const CLOSE_GRACE_MS = 1_000;

export interface RunToolsHost {
  config: Config;
  kv: () => SyncKvStorage;
  /** What `assistant:` calls need to run nested executions. */
  nested: NestedHost;
  /** Asks the owner's account to count the run as waiting; false past MAX_WAITING_EXECUTIONS. */
  beginWaiting(): Promise<boolean>;
}

/** The stored result of every call that has one. */
export function storedToolResults(kv: SyncKvStorage): Map<string, ToolResult> {
  const results = new Map<string, ToolResult>();
  for (const [key, value] of kv.list<ToolResult>({ prefix: RESULT_KEY }))
    results.set(key.slice(RESULT_KEY.length), value);
  return results;
}

/** One call's stored result. */
export const storedToolResult = (kv: SyncKvStorage, callId: string): ToolResult | undefined =>
  kv.get<ToolResult>(`${RESULT_KEY}${callId}`);

/**
 * How the toolbox reaches servers: the demo servers (DEMO_MCP_SERVERS, local development) are answered
 * in this isolate, so a run never calls its own Worker over the network; everything else by fetch.
 */
function serverFetch(config: Config): typeof fetch {
  if (!config.demoMcpServers) return fetch;
  return async (input, init) => {
    const request = new Request(input, init);
    const match = /^\/demo\/mcp\/([^/]+)$/.exec(new URL(request.url).pathname);
    const answered = match?.[1] ? await serveDemoMcp(match[1], request) : null;
    return answered ?? fetch(request);
  };
}

export class RunTools implements AgentTools {
  private toolbox: Toolbox | null = null;
  private readonly nested: NestedRuns;

  constructor(private readonly host: RunToolsHost) {
    this.nested = new NestedRuns(host.nested);
  }

  async forStep(prompt: PlannedPrompt, signal: AbortSignal): Promise<StepTool[]> {
    const toolbox = this.open();
    const listed: ListedTool[] = [];
    const refs = prompt.tools ?? [];
    const servers = new Set(refs.flatMap((ref) => (assistantIdOf(ref) === null ? [serverOf(ref)] : [])));
    const assistantIds = refs.flatMap((ref) => assistantIdOf(ref) ?? []);
    const [assistants] = await Promise.all([
      this.assistants(assistantIds),
      ...[...servers].map(async (server) => {
        const outcome = await toolbox.listTools(server, signal);
        if (outcome.ok) listed.push(...outcome.tools);
        else log("warn", "an agent step's MCP server could not be listed", { server, error: outcome.error.code });
      }),
    ]);
    const wanted = (tool: ListedTool) =>
      refs.some((ref) => ref === `${tool.server}.*` || ref === `${tool.server}.${tool.name}`);
    const tools = listed.filter(wanted);
    const names = await functionNames([
      ...tools.map((tool): ToolRef => ({ kind: "mcp", server: tool.server, tool: tool.name })),
      ...assistants.map(({ tool }): ToolRef => ({ kind: "assistant", id: tool.id, name: tool.name })),
    ]);
    const mcpTools = tools.map((tool) => ({
      name: `${tool.server}.${tool.name}`,
      functionName: names.byFullName.get(`${tool.server}.${tool.name}`) ?? tool.name,
      description: tool.description,
      inputSchema: tool.inputSchema,
      needsApproval: tool.needsApproval,
      rerunnable: mayRunAgainAfterRestart(tool.annotations),
    }));
    // An assistant needs no approval (SPEC §12 asks it of MCP servers only), and is "rerunnable": after a
    // restart the call waits for the nested execution it stored, never starting a second one.
    const assistantTools = assistants.map((record) => ({
      name: `${ASSISTANT_PREFIX}${record.tool.id}`,
      functionName: names.byFullName.get(`${ASSISTANT_PREFIX}${record.tool.id}`) ?? record.tool.id,
      description: assistantDescription(record),
      inputSchema: assistantInputSchema(record),
      needsApproval: false,
      rerunnable: true,
    }));
    return [...mcpTools, ...assistantTools];
  }

  /** The step's assistants the runner may read now (one it may not is left out, and a call of it fails). */
  private async assistants(ids: readonly string[]): Promise<ToolRecord[]> {
    const found = await Promise.all(
      ids.map((id) =>
        this.nested.readAssistant(id).catch((error: unknown) => {
          log("warn", "an agent step's assistant could not be read", { toolId: id, error: describeError(error) });
          return undefined;
        }),
      ),
    );
    return found.filter((tool): tool is ToolRecord => tool !== undefined);
  }

  /** An `assistant:` call's nested execution ended (its object told this one). */
  nestedEnded(callId: string): void {
    this.nested.ended(callId);
  }

  result(callId: string): ToolResult | undefined {
    return storedToolResult(this.host.kv(), callId);
  }

  beginWaiting(): Promise<boolean> {
    return this.host.beginWaiting();
  }

  /**
   * Runs one call and stores its result before answering it; null when the run's stop cut it (nothing
   * stored). A server that is down or slow is a result (`isError`), never a thrown error.
   */
  async run(call: AgentCall, signal: AbortSignal): Promise<ToolResult | null> {
    const started = Date.now();
    let outcome: NestedResult;
    if (assistantIdOf(call.name) !== null) {
      try {
        const nested = await this.nested.run(call, signal);
        if (!nested) return null;
        outcome = nested;
      } catch (error) {
        if (signal.aborted) return null;
        log("error", "a nested execution failed unexpectedly", { callId: call.callId, error: describeError(error) });
        outcome = { isError: true, output: "The assistant could not be run." };
      }
    } else {
      const args = typeof call.arguments === "object" && call.arguments !== null ? call.arguments : {};
      try {
        outcome = await this.open().callTool(
          serverOf(call.name),
          call.name.slice(serverOf(call.name).length + 1),
          args as Record<string, unknown>,
          signal,
        );
      } catch (error) {
        if (signal.aborted) return null;
        log("error", "an MCP tool call failed unexpectedly", { callId: call.callId, error: describeError(error) });
        outcome = { isError: true, output: "The tool call failed unexpectedly." };
      }
    }
    // A nested execution's result stands even when the run stopped meanwhile: it ended, and its cost counts.
    if (signal.aborted && outcome.executionId === undefined) return null;
    const result: ToolResult = { ...outcome, durationMs: Date.now() - started };
    this.host.kv().put(`${RESULT_KEY}${call.callId}`, result);
    return result;
  }

  /**
   * Closes the servers' connections once a stopped call's cancellation has had time to reach its
   * server (closing at once would cut that notification off).
   */
  closeSoon(waitUntil: (work: Promise<unknown>) => void): void {
    waitUntil(new Promise((resolve) => setTimeout(resolve, CLOSE_GRACE_MS)).then(() => this.close()));
  }

  /** Closes the servers' connections (the run ended, or this life of the object does). */
  async close(): Promise<void> {
    const toolbox = this.toolbox;
    this.toolbox = null;
    await toolbox?.close();
  }

  private open(): Toolbox {
    this.toolbox ??= new Toolbox(this.host.config.mcp, { fetch: serverFetch(this.host.config) });
    return this.toolbox;
  }
}

/** The server of a `<server>.<tool>` reference. */
const serverOf = (ref: string): string => ref.slice(0, Math.max(0, ref.indexOf(".")));
