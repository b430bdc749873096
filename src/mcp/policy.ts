// What a tool's annotations mean for the run (SPEC §12): whether a call waits for a person, and whether
// a call cut by a restart may be sent again. Annotations drive policy, never tool names.
import type { ToolAnnotations } from "@modelcontextprotocol/sdk/types.js";
import type { ApprovalSetting } from "../lib/mcp-config";

/** The annotations this service reads; a server may send more. */
export type Annotations = Pick<ToolAnnotations, "readOnlyHint" | "destructiveHint" | "idempotentHint"> | undefined;

/** Whether a call of a tool with `annotations`, on a server with `setting`, needs a person's approval. */
export function needsApproval(setting: ApprovalSetting, annotations: Annotations): boolean {
  if (setting === "always") return true;
  if (setting === "never") return false;
  return annotations?.readOnlyHint !== true;
}

/**
 * Whether a call that was running when the run's object died may be sent again: only when the server
 * says that repeating it changes nothing (`idempotentHint`) or that it changes nothing at all (`readOnlyHint`).
 */
export function mayRunAgainAfterRestart(annotations: Annotations): boolean {
  return annotations?.idempotentHint === true || annotations?.readOnlyHint === true;
}
