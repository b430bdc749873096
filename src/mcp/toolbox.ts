// The MCP servers of one run (or one request): connects to each configured server when first needed,
// lists its tools once, and calls tools with a deadline, a cap on the result and failures as values.
import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import type { FetchLike } from "@modelcontextprotocol/sdk/shared/transport.js";
import type { Tool } from "@modelcontextprotocol/sdk/types.js";
import { McpError } from "@modelcontextprotocol/sdk/types.js";
import type { McpConfig, McpServerConfig } from "../lib/mcp-config";
import type { JsonSchema } from "./arguments";
import { connect } from "./connection";
import { type McpFailure, type McpFailureCode, toFailure } from "./failures";
import { type Annotations, needsApproval } from "./policy";
import { capUtf8, resultText } from "./results";

/** One tool a server lists, with what the run needs to know about it. */
export interface ListedTool {
  server: string;
  /** The tool's name on its server. */
  name: string;
  description: string;
  inputSchema: JsonSchema;
  annotations: Annotations;
  /** From the server's approval setting and the tool's annotations. */
  needsApproval: boolean;
}

export type ListOutcome = { ok: true; tools: ListedTool[] } | { ok: false; error: McpFailure };

/** What a call gave: the tool's own result, or (with `failure`) why the tool could not be called. */
export interface CallOutcome {
  isError: boolean;
  /** The result's text, at most MCP_RESULT_MAX_BYTES of UTF-8; for a failure, its message. */
  output: string;
  failure?: McpFailureCode;
}

export interface ToolboxOptions {
  /** How to reach servers (default: the global fetch). */
  fetch?: FetchLike;
}

/** Pages of tools read from one server at most (a server that pages forever is cut off). */
const MAX_PAGES = 20;
/** One answer may weigh this much more than the result cap (JSON-RPC framing, escapes, other content). */
const answerBound = (resultMaxBytes: number) => Math.max(4 * resultMaxBytes, 4 * 1_048_576);

/** Settles with `promise`, or rejects with `signal`'s reason as soon as it aborts. */
function unlessAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const abort = () => reject(signal.reason);
    signal.addEventListener("abort", abort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener("abort", abort));
  });
}

const listed = (server: McpServerConfig, tool: Tool): ListedTool => ({
  server: server.name,
  name: tool.name,
  description: tool.description ?? tool.title ?? tool.annotations?.title ?? "",
  inputSchema: tool.inputSchema as JsonSchema,
  annotations: tool.annotations,
  needsApproval: needsApproval(server.approval, tool.annotations),
});

/** One run's view of the configured MCP servers. Close it when the run (or request) is done. */
export class Toolbox {
  private readonly clients = new Map<string, Promise<Client>>();
  private readonly lists = new Map<string, Promise<ListedTool[]>>();
  private closed = false;

  constructor(
    private readonly config: McpConfig,
    private readonly options: ToolboxOptions = {},
  ) {}

  /** The configured server names, in MCP_SERVERS order. */
  serverNames(): string[] {
    return [...this.config.servers.keys()];
  }

  /**
   * The server's tools, read once per toolbox (within MCP_CALL_TIMEOUT_MS); a failure is an outcome, not
   * kept, so the next ask tries again. Rejects with `signal`'s reason only when `signal` aborts.
   */
  async listTools(serverName: string, signal?: AbortSignal): Promise<ListOutcome> {
    const server = this.config.servers.get(serverName);
    if (!server) return { ok: false, error: unknownServer(serverName) };
    let list = this.lists.get(serverName);
    if (!list) {
      list = this.readList(server);
      this.lists.set(serverName, list);
      list.catch(() => this.lists.delete(serverName));
    }
    try {
      return { ok: true, tools: await (signal ? unlessAborted(list, signal) : list) };
    } catch (error) {
      if (signal?.aborted) throw signal.reason;
      return { ok: false, error: toFailure(error, server, this.config.callTimeoutMs) };
    }
  }

  /**
   * Calls `tool` on `serverName` with `args`, within MCP_CALL_TIMEOUT_MS (connecting included). Rejects
   * with `signal`'s reason when it aborts (a cancel); every other failure is a CallOutcome with `failure`.
   */
  async callTool(
    serverName: string,
    tool: string,
    args: Record<string, unknown>,
    signal: AbortSignal,
  ): Promise<CallOutcome> {
    const server = this.config.servers.get(serverName);
    if (!server) return failed(unknownServer(serverName));
    const timeoutMs = this.config.callTimeoutMs;
    const deadline = AbortSignal.any([signal, AbortSignal.timeout(timeoutMs)]);
    const started = Date.now();
    try {
      const client = await unlessAborted(this.client(server), deadline);
      const result = await client.callTool({ name: tool, arguments: args }, undefined, {
        signal: deadline,
        timeout: Math.max(1, timeoutMs - (Date.now() - started)),
      });
      return {
        isError: result.isError === true,
        output: capUtf8(resultText(result), this.config.resultMaxBytes),
      };
    } catch (error) {
      if (signal.aborted) throw signal.reason;
      // A protocol error leaves the session usable; anything else (HTTP, network) may not have.
      if (!(error instanceof McpError)) this.forget(server.name);
      return failed(toFailure(error, server, timeoutMs));
    }
  }

  /** Closes every connection (an open event stream too). The toolbox is not used afterwards. */
  async close(): Promise<void> {
    this.closed = true;
    const clients = [...this.clients.values()];
    this.clients.clear();
    await Promise.allSettled(clients.map(async (client) => (await client).close()));
  }

  private client(server: McpServerConfig): Promise<Client> {
    if (this.closed) return Promise.reject(new Error("the toolbox is closed"));
    let client = this.clients.get(server.name);
    if (!client) {
      // The handshake is shared by every call that waits on it, so it has its own deadline.
      client = connect(server, {
        signal: AbortSignal.timeout(this.config.callTimeoutMs),
        timeoutMs: this.config.callTimeoutMs,
        maxResponseBytes: answerBound(this.config.resultMaxBytes),
        fetch: this.options.fetch,
      });
      this.clients.set(server.name, client);
      client.catch(() => {
        if (this.clients.get(server.name) === client) this.clients.delete(server.name);
      });
    }
    return client;
  }

  private forget(serverName: string): void {
    const client = this.clients.get(serverName);
    this.clients.delete(serverName);
    client?.then((open) => open.close()).catch(() => {});
  }

  private async readList(server: McpServerConfig): Promise<ListedTool[]> {
    const deadline = AbortSignal.timeout(this.config.callTimeoutMs);
    const started = Date.now();
    try {
      const client = await unlessAborted(this.client(server), deadline);
      const tools: ListedTool[] = [];
      let cursor: string | undefined;
      for (let page = 0; page < MAX_PAGES; page++) {
        const result = await client.listTools(cursor === undefined ? undefined : { cursor }, {
          signal: deadline,
          timeout: Math.max(1, this.config.callTimeoutMs - (Date.now() - started)),
        });
        for (const tool of result.tools) tools.push(listed(server, tool));
        cursor = result.nextCursor;
        if (!cursor) break;
      }
      return tools;
    } catch (error) {
      if (!(error instanceof McpError)) this.forget(server.name);
      throw error;
    }
  }
}

const unknownServer = (name: string): McpFailure => ({
  code: "mcp_unknown_tool",
  message: `No MCP server named "${name}" is configured`,
});

const failed = (failure: McpFailure): CallOutcome => ({
  isError: true,
  output: failure.message,
  failure: failure.code,
});
