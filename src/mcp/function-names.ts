// The function names the model sees for a step's tools (SPEC §12): `<server>__<tool>` or
// `assistant__<assistant name>`, safe characters only, at most 64, unique within the step.

/** A tool a step may call: a tool of a configured MCP server, or a saved assistant run as a nested execution. */
export type ToolRef = { kind: "mcp"; server: string; tool: string } | { kind: "assistant"; id: string; name: string };

/** What providers accept in a function name. */
export const FUNCTION_NAME_MAX = 64;
const CUT_TO = 57;
const UNSAFE = /[^A-Za-z0-9_-]/g;

/** The tool's full name, which identifies it whatever the model is shown: `<server>.<tool>` or `assistant:<id>`. */
export const fullName = (ref: ToolRef): string =>
  ref.kind === "mcp" ? `${ref.server}.${ref.tool}` : `assistant:${ref.id}`;

/** The name before any cut: `<server>__<tool>` or `assistant__<name>`, every unsafe character as `_`. */
export const plainName = (ref: ToolRef): string =>
  (ref.kind === "mcp" ? `${ref.server}__${ref.tool}` : `assistant__${ref.name}`).replace(UNSAFE, "_");

async function hex6(text: string): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text)));
  return [...digest.subarray(0, 3)].map((byte) => byte.toString(16).padStart(2, "0")).join("");
}

/** `plain` cut to 57 characters, then `_` and 6 hex characters of SHA-256 of `full`. */
export async function hashedName(plain: string, full: string): Promise<string> {
  return `${plain.slice(0, CUT_TO)}_${await hex6(full)}`;
}

/** A step's tools by the function name the model sees, and back. */
export interface FunctionNames {
  /** Function name → the tool. */
  readonly byFunction: ReadonlyMap<string, ToolRef>;
  /** Full name (`<server>.<tool>` / `assistant:<id>`) → function name. */
  readonly byFullName: ReadonlyMap<string, string>;
}

/**
 * Names a step's tools. A name over 64 characters, or one shared by tools with different full names,
 * becomes `<first 57>_<6 hex of SHA-256(full name)>`; every tool in a collision is renamed so that the
 * result does not depend on the order of `refs`. The same full name twice is one tool.
 */
export async function functionNames(refs: readonly ToolRef[]): Promise<FunctionNames> {
  const tools = new Map<string, { ref: ToolRef; plain: string; name: string }>();
  for (const ref of refs) {
    const full = fullName(ref);
    if (!tools.has(full)) tools.set(full, { ref, plain: plainName(ref), name: "" });
  }
  const plainCount = new Map<string, number>();
  for (const { plain } of tools.values()) plainCount.set(plain, (plainCount.get(plain) ?? 0) + 1);
  for (const [full, tool] of tools) {
    const needsHash = tool.plain.length > FUNCTION_NAME_MAX || (plainCount.get(tool.plain) ?? 0) > 1;
    tool.name = needsHash ? await hashedName(tool.plain, full) : tool.plain;
  }
  // A hashed name can, very rarely, equal another tool's name: a plain name keeps it, and hashed ones
  // take the next hash in full-name order, so the outcome does not depend on the order of `refs`.
  const taken = new Set<string>();
  for (const tool of tools.values()) if (tool.name === tool.plain) taken.add(tool.name);
  for (const full of [...tools.keys()].sort()) {
    const tool = tools.get(full);
    if (!tool || tool.name === tool.plain) continue;
    for (let round = 1; taken.has(tool.name); round++) tool.name = await hashedName(tool.plain, `${full}#${round}`);
    taken.add(tool.name);
  }
  const byFunction = new Map<string, ToolRef>();
  const byFullName = new Map<string, string>();
  for (const [full, { ref, name }] of tools) {
    byFunction.set(name, ref);
    byFullName.set(full, name);
  }
  return { byFunction, byFullName };
}
