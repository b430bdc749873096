// MCP_SERVERS: which Streamable HTTP MCP servers agent steps may use, with each one's headers (read from
// the secret `headersVar` names) and approval setting. Parsed once with the config; a bad entry is a
// ConfigError that names it and never quotes a URL or a header.
import { z } from "zod";
import { ConfigError } from "./model-catalogue";

/** Who must approve a call: every call, none, or every call to a tool not annotated `readOnlyHint: true`. */
export type ApprovalSetting = "always" | "never" | "unless_read_only";

/** One configured MCP server. `headers` are secret: never answered, logged or quoted in an error. */
export interface McpServerConfig {
  name: string;
  url: string;
  approval: ApprovalSetting;
  headers: Readonly<Record<string, string>>;
}

/** Everything agent steps need to reach MCP servers. */
export interface McpConfig {
  /** By server name, in MCP_SERVERS order. */
  servers: ReadonlyMap<string, McpServerConfig>;
  /** Bounds each tool call (connecting included). */
  callTimeoutMs: number;
  /** A tool's text result is cut to this many UTF-8 bytes. */
  resultMaxBytes: number;
}

export const MCP_DEFAULTS = { callTimeoutMs: 30_000, resultMaxBytes: 1_048_576 } as const;

/** A server name must work as the prefix of a function name (`<server>__<tool>`). */
export const SERVER_NAME = /^[A-Za-z0-9_-]{1,64}$/;
/** Taken by saved assistants (`assistant:<id>`, `assistant__<name>`). */
const RESERVED = "assistant";
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

const entrySchema = z.strictObject({
  name: z.string().regex(SERVER_NAME, "must be 1 to 64 letters, digits, _ or -"),
  // zod's URL message never repeats the value, so a URL with a token in it stays out of the error.
  url: z.url({ protocol: /^https?$/, error: "must be an http(s) URL" }),
  headersVar: z
    .string()
    .regex(/^[A-Z_][A-Z0-9_]*$/, "must be the name of a secret, like MCP_LESSON_HEADERS")
    .optional(),
  approval: z.enum(["always", "never", "unless_read_only"]).optional(),
});

export interface McpServerSources {
  /** MCP_SERVERS as set (JSON), or undefined/empty for none. */
  raw: string | undefined;
  /** Reads a secret or var by name. */
  secret: (name: string) => string | undefined;
}

const label = (index: number, value: unknown) => {
  const name =
    typeof value === "object" && value !== null && "name" in value && typeof value.name === "string"
      ? ` ("${value.name.slice(0, 64)}")`
      : "";
  return `MCP_SERVERS entry ${index + 1}${name}`;
};

/** The headers a secret holds: a JSON object of header names to string values, or null when it is not one. */
function headersFrom(raw: string): Record<string, string> | null {
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    return null;
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) return null;
  const headers: Record<string, string> = {};
  for (const [name, header] of Object.entries(value)) {
    if (!HEADER_NAME.test(name) || typeof header !== "string" || /[\r\n\0]/.test(header)) return null;
    headers[name] = header;
  }
  return headers;
}

/** The configured servers by name; throws ConfigError naming the first bad entry (never its URL or headers). */
export function parseMcpServers(sources: McpServerSources): ReadonlyMap<string, McpServerConfig> {
  const servers = new Map<string, McpServerConfig>();
  const raw = sources.raw?.trim();
  if (!raw) return servers;
  let list: unknown;
  try {
    list = JSON.parse(raw);
  } catch {
    throw new ConfigError("MCP_SERVERS is not valid JSON: it must be a JSON array of server entries");
  }
  if (!Array.isArray(list)) throw new ConfigError("MCP_SERVERS must be a JSON array of server entries");
  list.forEach((value: unknown, index) => {
    const parsed = entrySchema.safeParse(value);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new ConfigError(
        `${label(index, value)}: ${issue?.path.join(".") || "entry"}: ${issue?.message ?? "invalid"}`,
      );
    }
    const entry = parsed.data;
    if (entry.name === RESERVED)
      throw new ConfigError(`${label(index, value)}: the name "${RESERVED}" is reserved for saved assistants`);
    if (servers.has(entry.name))
      throw new ConfigError(`${label(index, value)}: the name "${entry.name}" is listed twice`);
    let headers: Record<string, string> = {};
    if (entry.headersVar) {
      const secret = sources.secret(entry.headersVar);
      if (secret === undefined) {
        throw new ConfigError(
          `${label(index, value)}: headersVar names ${entry.headersVar}, which is not set (wrangler secret put ${entry.headersVar})`,
        );
      }
      const read = headersFrom(secret);
      if (!read) {
        throw new ConfigError(
          `${label(index, value)}: the secret ${entry.headersVar} must hold a JSON object of header names to string values`,
        );
      }
      headers = read;
    }
    servers.set(entry.name, {
      name: entry.name,
      url: entry.url,
      approval: entry.approval ?? "unless_read_only",
      headers,
    });
  });
  return servers;
}
