// Why a call to an MCP server failed, as a value with a code and a message safe to show anyone: the
// SDK's errors (and the network's) are classified, and nothing of the server's address or headers stays.
import { UnauthorizedError } from "@modelcontextprotocol/sdk/client/auth.js";
import { StreamableHTTPError } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { ErrorCode, McpError } from "@modelcontextprotocol/sdk/types.js";
import type { McpServerConfig } from "../lib/mcp-config";
import { sanitize } from "./sanitize";

export type McpFailureCode =
  /** No server of that name is configured, or it does not list the tool. */
  | "mcp_unknown_tool"
  /** The server could not be reached, or answered with an HTTP error. */
  | "mcp_unreachable"
  /** No answer within MCP_CALL_TIMEOUT_MS. */
  | "mcp_timeout"
  /** The server answered, with a protocol error (or something this client cannot read). */
  | "mcp_error";

/** A failed request to an MCP server; `message` names the server and never its address or headers. */
export interface McpFailure {
  code: McpFailureCode;
  message: string;
}

/** The body of a server's answer passed the bound the toolbox reads (a guard for the isolate's memory). */
export class ResponseTooLargeError extends Error {
  constructor(readonly maxBytes: number) {
    super(`the answer was longer than ${maxBytes} bytes`);
    this.name = "ResponseTooLargeError";
  }
}

/** Our own deadline passed (AbortSignal.timeout's reason, or the SDK's request timeout). */
const isTimeout = (error: unknown) =>
  (error instanceof Error && error.name === "TimeoutError") ||
  (error instanceof McpError && error.code === ErrorCode.RequestTimeout);

/**
 * Classifies `error` from talking to `server`, with a message fit for the model, the stream and a tool
 * author: `timeoutMs` is the bound that applied.
 */
export function toFailure(error: unknown, server: McpServerConfig, timeoutMs: number): McpFailure {
  const named = `The MCP server "${server.name}"`;
  if (isTimeout(error)) return { code: "mcp_timeout", message: `${named} did not answer within ${timeoutMs} ms` };
  if (error instanceof UnauthorizedError)
    return { code: "mcp_unreachable", message: `${named} refused the request as unauthorized (HTTP 401)` };
  if (error instanceof StreamableHTTPError) {
    // Its message quotes the answer's body or a redirect target: only the status is kept.
    const status = error.code !== undefined && error.code > 0 ? `HTTP ${error.code}` : "an answer it could not read";
    return { code: "mcp_unreachable", message: `${named} answered ${status}` };
  }
  if (error instanceof ResponseTooLargeError)
    return { code: "mcp_error", message: `${named} sent an answer longer than ${error.maxBytes} bytes` };
  if (error instanceof McpError) {
    // The SDK prefixes "MCP error <code>: " on each side; the code says nothing to a reader.
    const text = error.message.replace(/^(?:MCP error -?\d+: )+/, "");
    return { code: "mcp_error", message: `${named} answered an error: ${sanitize(text, server)}` };
  }
  // fetch's own failures (refused, reset, DNS) are TypeErrors whose text names the address.
  if (error instanceof TypeError || (error instanceof Error && /network|connect|fetch/i.test(error.message)))
    return { code: "mcp_unreachable", message: `${named} could not be reached` };
  const text = error instanceof Error ? error.message : String(error);
  return { code: "mcp_error", message: `${named} failed: ${sanitize(text, server)}` };
}
