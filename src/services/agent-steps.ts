// What a save (and a draft run) checks of a tool's agent steps (SPEC §12), beyond the body's own shape:
// no reference twice in one step; every server configured; a `<server>.<tool>` that its server lists
// when it answers (a server that cannot be reached, within MCP_CALL_TIMEOUT_MS, does not block the
// save); every `assistant:<id>` a tool the author may read that has no agent step itself.
import type { Database } from "../db/client";
import { findReadableAssistants } from "../db/tool-queries";
import { AppError, type FieldIssue } from "../lib/errors";
import type { McpConfig } from "../lib/mcp-config";
import { Toolbox } from "../mcp/toolbox";
import type { ToolBody } from "../schemas/tool";

/** Who saves, where the tools are, and which tool is being replaced (it may not use itself). */
export interface AgentStepContext {
  db: Database;
  mcp: McpConfig;
  userId: string;
  /** The tool a replace writes over; absent for a create or a draft. */
  toolId?: string;
}

/** One reference of one step, with where it sits in the body. */
type Reference =
  | { kind: "assistant"; path: string; raw: string; toolId: string }
  | { kind: "mcp"; path: string; raw: string; server: string; tool: string | null };

const ASSISTANT_PREFIX = "assistant:";

function parse(raw: string, path: string): Reference {
  if (raw.startsWith(ASSISTANT_PREFIX))
    return { kind: "assistant", path, raw, toolId: raw.slice(ASSISTANT_PREFIX.length) };
  // The server's name has no dot (SERVER_NAME); the tool's name may.
  const dot = raw.indexOf(".");
  const tool = raw.slice(dot + 1);
  return { kind: "mcp", path, raw, server: raw.slice(0, dot), tool: tool === "*" ? null : tool };
}

/** Every reference of every agent step, a repeat within one step an issue instead. */
function referencesOf(body: ToolBody, issues: FieldIssue[]): Reference[] {
  const references: Reference[] = [];
  body.prompts.forEach((prompt, i) => {
    const seen = new Set<string>();
    prompt.tools?.forEach((raw, j) => {
      const path = `prompts.${i}.tools.${j}`;
      if (seen.has(raw)) {
        issues.push({ path, message: `step "${prompt.name}" lists ${raw} more than once` });
        return;
      }
      seen.add(raw);
      references.push(parse(raw, path));
    });
  });
  return references;
}

/** What each MCP reference's server says: configured, listing the tool when it answers. */
async function checkMcp(references: Reference[], mcp: McpConfig, issues: FieldIssue[]): Promise<void> {
  const wanted = references.filter((reference) => reference.kind === "mcp");
  for (const reference of wanted) {
    if (!mcp.servers.has(reference.server))
      issues.push({ path: reference.path, message: `no MCP server named "${reference.server}" is configured` });
  }
  const named = wanted.filter((reference) => reference.tool !== null && mcp.servers.has(reference.server));
  if (named.length === 0) return;
  // Each server asked once, all at the same time; each answer bounded by MCP_CALL_TIMEOUT_MS.
  const toolbox = new Toolbox(mcp);
  try {
    const servers = [...new Set(named.map((reference) => reference.server))];
    const lists = new Map(
      await Promise.all(servers.map(async (server) => [server, await toolbox.listTools(server)] as const)),
    );
    for (const reference of named) {
      const outcome = lists.get(reference.server);
      // A server that cannot be reached now does not block the save: the run will try it again.
      if (!outcome?.ok) continue;
      if (!outcome.tools.some((tool) => tool.name === reference.tool))
        issues.push({
          path: reference.path,
          message: `the MCP server "${reference.server}" lists no tool named "${reference.tool}"`,
        });
    }
  } finally {
    await toolbox.close();
  }
}

/** Each assistant: a tool the author may read, not the tool itself, with no agent step of its own. */
async function checkAssistants(
  references: Reference[],
  context: AgentStepContext,
  issues: FieldIssue[],
): Promise<void> {
  const wanted = references.filter((reference) => reference.kind === "assistant");
  if (wanted.length === 0) return;
  const found = await findReadableAssistants(
    context.db,
    [...new Set(wanted.map((reference) => reference.toolId))],
    context.userId,
  );
  for (const reference of wanted) {
    const assistant = found.get(reference.toolId);
    if (reference.toolId === context.toolId)
      issues.push({ path: reference.path, message: "a tool cannot use itself as an assistant" });
    else if (!assistant)
      issues.push({ path: reference.path, message: `no tool ${reference.toolId} that you can use as an assistant` });
    else if (assistant.hasAgentStep)
      issues.push({
        path: reference.path,
        message: `the assistant "${assistant.name}" has an agent step itself; nesting stops at one level`,
      });
  }
}

/** Throws `validation_failed` naming each bad tool reference (`prompts.<i>.tools.<j>`). */
export async function assertAgentStepsSaveable(body: ToolBody, context: AgentStepContext): Promise<void> {
  const issues: FieldIssue[] = [];
  const references = referencesOf(body, issues);
  if (references.length === 0 && issues.length === 0) return;
  await Promise.all([checkMcp(references, context.mcp, issues), checkAssistants(references, context, issues)]);
  if (issues.length === 0) return;
  // In the body's order, whichever check finished first.
  issues.sort((a, b) => comparePaths(a.path, b.path));
  throw new AppError("validation_failed", `Invalid tool: ${issues.map((issue) => issue.message).join("; ")}`, {
    details: { fields: issues },
  });
}

/** `prompts.2.tools.10` after `prompts.2.tools.9`. */
function comparePaths(a: string, b: string): number {
  const left = a.split(".");
  const right = b.split(".");
  for (let i = 0; i < Math.max(left.length, right.length); i++) {
    const [x = "", y = ""] = [left[i], right[i]];
    if (x === y) continue;
    const [m, n] = [Number(x), Number(y)];
    return Number.isInteger(m) && Number.isInteger(n) ? m - n : x < y ? -1 : 1;
  }
  return 0;
}
