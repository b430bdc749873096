// What the API takes and answers, as the typed client sees it (the answers' types come from the
// server's own views, type-only).
import type { PendingToolCall, ToolCallRecord } from "../events/types";
import type {
  auditItemView,
  executionSummaryView,
  executionView,
  modelsView,
  toolSummaryView,
  toolView,
} from "../routes/views";

export type Tool = ReturnType<typeof toolView>;
export type ToolSummary = ReturnType<typeof toolSummaryView>;

type RecordView = ReturnType<typeof executionView>;
/** One prompt's result in the record; an agent step's `toolCalls` in call order (empty for an ordinary prompt). */
export type PromptResultRecord = RecordView["results"][number] & { toolCalls: ToolCallRecord[] };
/**
 * An execution's record. `pendingToolCalls`: the calls that wait for a person's decision (`status`
 * `waiting`), with their prompt; empty otherwise (SPEC §12).
 */
export type ExecutionRecord = Omit<RecordView, "results"> & {
  results: PromptResultRecord[];
  pendingToolCalls: PendingToolCall[];
};
/** An execution in the list, with `outputPreview`: the first 280 characters of its last prompt's output. */
export type ExecutionSummary = ReturnType<typeof executionSummaryView>;
/** A catalogue model: its name and prices (USD per million tokens). */
export type Model = ReturnType<typeof modelsView>[number];

/** A usage report (GET /api/usage, GET /api/admin/usage) and one of its rows. */
export type { UsageReport, UsageRow } from "../schemas/usage";
/** One entry of the audit trail, and a page of them (GET /api/admin/audit). */
export type AuditItem = ReturnType<typeof auditItemView>;
export interface AuditPage {
  items: AuditItem[];
  nextCursor: string | null;
}

/** A spending limit in micro-dollars (1,000,000 = 1 USD). */
export interface Budget {
  maxCostMicros: number;
}

export interface ToolInput {
  name: string;
  description?: string;
  visibility?: "private" | "shared";
  onPromptError?: "stop" | "continue";
  budget?: Budget | null;
  inputFields?: { name: string; label: string; type: string; required?: boolean; options?: string[] }[];
  prompts: {
    name: string;
    position: number;
    model: string;
    content: string;
    systemContext?: string | null;
    temperature?: number | null;
    maxTokens?: number | null;
    /** An agent step's tools: `<server>.<tool>`, `<server>.*` or `assistant:<toolId>` (SPEC §12). */
    tools?: string[];
    /** An agent step's cap on model turns (1–50, default 10). */
    maxSteps?: number;
  }[];
}

/** A rerun: from which prompt, inputs merged over the source's, per-prompt overrides (by prompt id). */
export interface RerunInput {
  fromPromptId?: string;
  /** With the source's tool budget, the lower applies. */
  budget?: Budget;
  inputs?: Record<string, unknown>;
  prompts?: Record<
    string,
    {
      model?: string;
      content?: string;
      systemContext?: string | null;
      temperature?: number | null;
      maxTokens?: number | null;
    }
  >;
}

/** `executions.create`: a saved tool by id, or an unsaved tool body (`draft`, run without saving it). */
export type CreateExecutionInput = ({ toolId: string; draft?: never } | { draft: ToolInput; toolId?: never }) & {
  inputs: Record<string, unknown>;
  /** With the tool's (or the draft's) budget, the lower applies. */
  budget?: Budget;
};

/** `executions.list` filters; `q` matches the inputs and the output previews (case-insensitive for A–Z). */
export interface ExecutionListFilter {
  toolId?: string;
  status?: string;
  sourceExecutionId?: string;
  q?: string;
  limit?: number;
  cursor?: string;
}

/** `executions.decide`: a person's decision on a tool call that waits; `reason` goes to the model with a denial. */
export interface ToolDecision {
  decision: "approve" | "deny";
  reason?: string;
}

export interface CreatedExecution {
  id: string;
  status: string;
  eventsUrl: string;
  streamToken: string;
}

/** One pickable MCP tool (src/mcp/catalogue.ts): `name` is `<server>.<tool>`; `needsApproval`: a person approves each call. */
export interface McpTool {
  name: string;
  description: string;
  /** The JSON Schema of the tool's arguments. */
  inputSchema: Record<string, unknown>;
  needsApproval: boolean;
}

/** What `mcp.tools()` answers: every MCP tool an author may pick, and the servers that could not be listed. */
export interface McpTools {
  tools: McpTool[];
  errors: { server: string; error: string }[];
}
