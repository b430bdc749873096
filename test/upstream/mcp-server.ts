// A real MCP server (the SDK's McpServer over its Node Streamable HTTP transport) on loopback for the
// tests, with tools for every policy case, counting calls per test; plus paths that fail in the ways a
// server can (HTTP 500, silence, a JSON-RPC error). A server that is down is a URL with no listener.
import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { Server as LowLevelServer } from "@modelcontextprotocol/sdk/server/index.js";
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { StreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/streamableHttp.js";
import { CallToolRequestSchema, ErrorCode, ListToolsRequestSchema, McpError } from "@modelcontextprotocol/sdk/types.js";
import { z } from "zod";
import { MCP_PATHS, MCP_TEST_TOKEN, type McpCallCounts, TEST_ID_HEADER } from "./mcp-names";

type Extra = { signal: AbortSignal; requestInfo?: { headers: Record<string, string | string[] | undefined> } };

const text = (value: string) => ({ content: [{ type: "text" as const, text: value }] });
const header = (extra: Extra, name: string) => {
  const value = extra.requestInfo?.headers[name];
  return Array.isArray(value) ? value[0] : value;
};

export class TestMcpServer {
  private readonly counts = new Map<string, McpCallCounts>();
  private readonly sessions = new Map<string, StreamableHTTPServerTransport>();
  private server: Server | undefined;

  private countsFor(extra: Extra): McpCallCounts {
    const id = header(extra, TEST_ID_HEADER) ?? "none";
    let counts = this.counts.get(id);
    if (!counts) {
      counts = { calls: {}, canceled: {} };
      this.counts.set(id, counts);
    }
    return counts;
  }

  private counted(tool: string, extra: Extra): void {
    const counts = this.countsFor(extra);
    counts.calls[tool] = (counts.calls[tool] ?? 0) + 1;
  }

  private mainServer(): McpServer {
    const mcp = new McpServer({ name: "test-tools", version: "1.0.0" });
    mcp.registerTool(
      "lookup",
      {
        description: "Looks up a standard by topic",
        inputSchema: { topic: z.string().min(2), grade: z.number().int().min(0).max(12).optional() },
        annotations: { readOnlyHint: true },
      },
      async ({ topic, grade }, extra) => {
        this.counted("lookup", extra);
        return text(`standard for ${topic}${grade === undefined ? "" : ` (grade ${grade})`}`);
      },
    );
    mcp.registerTool(
      "delete_record",
      { description: "Deletes a record", inputSchema: { id: z.string() }, annotations: { destructiveHint: true } },
      async ({ id }, extra) => {
        this.counted("delete_record", extra);
        return text(`deleted ${id}`);
      },
    );
    mcp.registerTool(
      "set_flag",
      {
        description: "Sets a flag",
        inputSchema: { name: z.string(), value: z.boolean() },
        annotations: { idempotentHint: true, readOnlyHint: false },
      },
      async ({ name, value }, extra) => {
        this.counted("set_flag", extra);
        return text(`${name} = ${value}`);
      },
    );
    mcp.registerTool(
      "slow",
      { description: "Waits", inputSchema: { ms: z.number() }, annotations: { readOnlyHint: true } },
      async ({ ms }, extra) => {
        this.counted("slow", extra);
        const counts = this.countsFor(extra);
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, ms);
          extra.signal.addEventListener("abort", () => {
            clearTimeout(timer);
            counts.canceled.slow = (counts.canceled.slow ?? 0) + 1;
            resolve();
          });
        });
        return text(`waited ${ms} ms`);
      },
    );
    // Like `slow`, but with effects (no annotations): a call cut by a restart must not be sent again.
    mcp.registerTool(
      "slow_write",
      { description: "Waits, then writes", inputSchema: { ms: z.number() } },
      async ({ ms }, extra) => {
        this.counted("slow_write", extra);
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, ms);
          extra.signal.addEventListener("abort", () => {
            clearTimeout(timer);
            resolve();
          });
        });
        return text(`wrote after ${ms} ms`);
      },
    );
    mcp.registerTool(
      "huge",
      { description: "A long answer", inputSchema: { bytes: z.number().int(), char: z.string().optional() } },
      async ({ bytes, char }, extra) => {
        this.counted("huge", extra);
        const unit = char ?? "x";
        return text(unit.repeat(Math.ceil(bytes / Buffer.byteLength(unit))));
      },
    );
    mcp.registerTool("fail", { description: "Always fails" }, async (extra) => {
      this.counted("fail", extra);
      return { ...text("the tool failed on purpose"), isError: true };
    });
    mcp.registerTool("check_header", { description: "Needs the Authorization header" }, async (extra) => {
      this.counted("check_header", extra);
      return header(extra, "authorization") === MCP_TEST_TOKEN
        ? text("authorized")
        : { ...text("missing or wrong Authorization header"), isError: true };
    });
    mcp.registerTool("mixed", { description: "Several kinds of content" }, async (extra) => {
      this.counted("mixed", extra);
      return {
        content: [
          { type: "text" as const, text: "caption" },
          { type: "image" as const, data: Buffer.from("12345678").toString("base64"), mimeType: "image/png" },
          { type: "resource_link" as const, name: "plan", uri: "file:///plans/1.md" },
          { type: "resource" as const, resource: { uri: "file:///notes.txt", text: "embedded notes" } },
        ],
      };
    });
    return mcp;
  }

  /** A server whose only tool answers a JSON-RPC error (McpServer would turn it into an isError result). */
  private rpcErrorServer(): LowLevelServer {
    const server = new LowLevelServer({ name: "rpc-error", version: "1.0.0" }, { capabilities: { tools: {} } });
    server.setRequestHandler(ListToolsRequestSchema, async () => ({
      tools: [{ name: "explode", inputSchema: { type: "object" as const } }],
    }));
    server.setRequestHandler(CallToolRequestSchema, async () => {
      throw new McpError(
        ErrorCode.InternalError,
        "database at 10.1.2.3:5432 is down; see http://status.internal.example/db or db.internal.example:6543",
      );
    });
    return server;
  }

  private async handleMain(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const sessionId = req.headers["mcp-session-id"];
    const existing = typeof sessionId === "string" ? this.sessions.get(sessionId) : undefined;
    if (existing) return existing.handleRequest(req, res);
    const transport = new StreamableHTTPServerTransport({
      sessionIdGenerator: () => randomUUID(),
      onsessioninitialized: (id) => void this.sessions.set(id, transport),
    });
    transport.onclose = () => {
      if (transport.sessionId) this.sessions.delete(transport.sessionId);
    };
    await this.mainServer().connect(transport);
    await transport.handleRequest(req, res);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://mcp");
    if (url.pathname === "/__counts") {
      const counts = this.counts.get(url.searchParams.get("testId") ?? "") ?? { calls: {}, canceled: {} };
      res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(counts));
      return;
    }
    if (url.pathname === MCP_PATHS.main) return this.handleMain(req, res);
    if (url.pathname === MCP_PATHS.broken) {
      const address = this.server?.address() as AddressInfo;
      res.writeHead(500, { "content-type": "text/plain" });
      res.end(
        `upstream http://127.0.0.1:${address.port}${MCP_PATHS.broken} failed; auth=${req.headers.authorization ?? ""}`,
      );
      return;
    }
    if (url.pathname === MCP_PATHS.silent) return; // never answers; the client's deadline ends it
    if (url.pathname === MCP_PATHS.rpcError) {
      // Stateless: one server and transport per request.
      const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined });
      await this.rpcErrorServer().connect(transport);
      return transport.handleRequest(req, res);
    }
    res.writeHead(404).end();
  }

  /** Starts listening on 127.0.0.1; returns the base URL (no trailing slash). */
  async start(): Promise<string> {
    this.server = createServer((req, res) => {
      this.handle(req, res).catch((error: unknown) => {
        if (!res.headersSent) res.writeHead(500).end(String(error));
        else res.destroy();
      });
    });
    await new Promise<void>((resolve) => this.server?.listen(0, "127.0.0.1", resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    await Promise.allSettled([...this.sessions.values()].map((transport) => transport.close()));
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}

/** A loopback URL nothing listens on: a port the system handed out, then closed. */
export async function unusedUrl(): Promise<string> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return `http://127.0.0.1:${port}/mcp`;
}
