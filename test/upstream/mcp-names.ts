// The test MCP server's vocabulary, shared by the server (Node) and the tests (workerd).

/** The paths the test MCP server answers on. */
export const MCP_PATHS = {
  /** A stateful Streamable HTTP server (sessions, an event stream) with every tool below. */
  main: "/mcp",
  /** Every request answers 500 with a body full of addresses and the header it was sent. */
  broken: "/mcp-broken",
  /** Never answers (the handshake hangs). */
  silent: "/mcp-silent",
  /** A low-level server whose tool call answers a JSON-RPC error that names internal hosts. */
  rpcError: "/mcp-rpc-error",
} as const;

/** The header each test sends (through its server's headers) so that its calls are counted apart. */
export const TEST_ID_HEADER = "x-test-id";
/** What `check_header` wants in `Authorization`. */
export const MCP_TEST_TOKEN = "Bearer mcp-test-token-5f2c";

/** Tools of the main server and their annotations. */
export const MCP_TEST_TOOLS = {
  lookup: "lookup", // readOnlyHint: true; {topic: string (min 2), grade?: integer 0–12}
  delete_record: "delete_record", // destructiveHint: true; {id: string}
  set_flag: "set_flag", // idempotentHint: true; {name: string, value: boolean}
  slow: "slow", // readOnlyHint: true; {ms: number}: waits, or until the call is canceled
  slow_write: "slow_write", // no annotations; {ms: number}: waits like slow (a call with effects)
  huge: "huge", // {bytes: integer, char?: string}: a text of about that many UTF-8 bytes
  fail: "fail", // answers isError with a message
  check_header: "check_header", // answers isError unless Authorization is MCP_TEST_TOKEN
  mixed: "mixed", // text, an image, a resource link and an embedded resource
} as const;

/** What the test server saw from one test (by its TEST_ID_HEADER). */
export interface McpCallCounts {
  /** Calls started, per tool. */
  calls: Record<string, number>;
  /** Calls whose cancellation reached the tool, per tool. */
  canceled: Record<string, number>;
}
