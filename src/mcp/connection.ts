// One MCP client session with one configured server: the SDK's Client over its Streamable HTTP transport,
// with the server's headers, a JSON-schema validator that runs in workerd, and a bound on what it reads.
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import type { FetchLike } from "@modelcontextprotocol/sdk/shared/transport.js";
import { CfWorkerJsonSchemaValidator } from "@modelcontextprotocol/sdk/validation/cfworker";
import type { McpServerConfig } from "../lib/mcp-config";
import { ResponseTooLargeError } from "./failures";

const CLIENT_INFO = { name: "assistant-architect-stream", version: "0.1.0" };

/**
 * `base` with each answer to a POST (one JSON-RPC exchange) cut off with ResponseTooLargeError past
 * `maxBytes`, so a server cannot fill the isolate's memory. The long-lived GET event stream is left alone.
 */
export function boundedFetch(base: FetchLike, maxBytes: number): FetchLike {
  return async (url, init) => {
    const response = await base(url, init);
    if ((init?.method ?? "GET").toUpperCase() !== "POST" || !response.ok || !response.body) return response;
    if (Number(response.headers.get("content-length") ?? 0) > maxBytes) {
      await response.body.cancel().catch(() => {});
      throw new ResponseTooLargeError(maxBytes);
    }
    let seen = 0;
    const counted = response.body.pipeThrough(
      new TransformStream<Uint8Array, Uint8Array>({
        transform(chunk, controller) {
          seen += chunk.byteLength;
          if (seen > maxBytes) controller.error(new ResponseTooLargeError(maxBytes));
          else controller.enqueue(chunk);
        },
      }),
    );
    return new Response(counted, {
      status: response.status,
      statusText: response.statusText,
      headers: response.headers,
    });
  };
}

export interface ConnectOptions {
  /** Bounds the handshake (initialize). */
  signal: AbortSignal;
  timeoutMs: number;
  /** What one answer may weigh. */
  maxResponseBytes: number;
  /** The fetch to reach the server with (default: the global one). */
  fetch?: FetchLike;
}

/** A connected, initialized client for `server`; the caller closes it. */
export async function connect(server: McpServerConfig, options: ConnectOptions): Promise<Client> {
  const transport = new StreamableHTTPClientTransport(new URL(server.url), {
    requestInit: { headers: { ...server.headers } },
    fetch: boundedFetch(options.fetch ?? ((url, init) => fetch(url, init)), options.maxResponseBytes),
    // One retry of the optional event stream at most: nothing here waits on server-sent requests.
    reconnectionOptions: {
      initialReconnectionDelay: 1_000,
      maxReconnectionDelay: 5_000,
      reconnectionDelayGrowFactor: 2,
      maxRetries: 1,
    },
  });
  // The SDK's default validator is Ajv, which compiles schemas with `new Function`: workerd refuses that.
  const client = new Client(CLIENT_INFO, { jsonSchemaValidator: new CfWorkerJsonSchemaValidator() });
  // Background failures of the optional event stream are not this call's failures.
  client.onerror = () => {};
  await client.connect(transport, { signal: options.signal, timeout: options.timeoutMs });
  return client;
}
