// D1 tables (Drizzle): tools with their fields and prompts, executions and per-prompt results.
import { sql } from "drizzle-orm";
import { customType, index, integer, primaryKey, real, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";
import type { ErrorInfo } from "../events/types";
import type { ExecutionStatus, PromptResultStatus } from "../schemas/statuses";
import type { FieldType } from "../schemas/tool";

const now = sql`(cast(unixepoch('subsecond') * 1000 as integer))`;

export const tools = sqliteTable(
  "tools",
  {
    id: text("id").primaryKey(),
    ownerId: text("owner_id").notNull(),
    name: text("name").notNull(),
    description: text("description").notNull().default(""),
    visibility: text("visibility", { enum: ["private", "shared"] })
      .notNull()
      .default("private"),
    onPromptError: text("on_prompt_error", { enum: ["stop", "continue"] })
      .notNull()
      .default("stop"),
    /** Micro-dollars one execution of this tool may spend (null: no budget). */
    budgetMicros: integer("budget_micros"),
    createdAt: integer("created_at").notNull().default(now),
    updatedAt: integer("updated_at").notNull().default(now),
  },
  (t) => [
    index("tools_owner_created_idx").on(t.ownerId, t.createdAt),
    index("tools_visibility_created_idx").on(t.visibility, t.createdAt),
  ],
);

export const toolInputFields = sqliteTable(
  "tool_input_fields",
  {
    id: text("id").primaryKey(),
    toolId: text("tool_id")
      .notNull()
      .references(() => tools.id, { onDelete: "cascade" }),
    name: text("name").notNull(),
    label: text("label").notNull(),
    type: text("type").$type<FieldType>().notNull(),
    required: integer("required", { mode: "boolean" }).notNull().default(false),
    options: text("options", { mode: "json" }).$type<string[]>(),
    position: integer("position").notNull(),
  },
  (t) => [uniqueIndex("tool_input_fields_tool_name_idx").on(t.toolId, t.name)],
);

export const chainPrompts = sqliteTable(
  "chain_prompts",
  {
    id: text("id").primaryKey(),
    toolId: text("tool_id")
      .notNull()
      .references(() => tools.id, { onDelete: "cascade" }),
    name: text("name").notNull(),
    position: integer("position").notNull(),
    /** 1-based index in run order: what `{{result_N}}` refers to. */
    ordinal: integer("ordinal").notNull(),
    model: text("model").notNull(),
    systemContext: text("system_context"),
    content: text("content").notNull(),
    temperature: real("temperature"),
    maxTokens: integer("max_tokens"),
    /** An agent step's tool references (SPEC §12); null: an ordinary prompt. */
    tools: text("tools", { mode: "json" }).$type<string[]>(),
    /** An agent step's cap on model turns; null for an ordinary prompt. */
    maxSteps: integer("max_steps"),
  },
  (t) => [
    uniqueIndex("chain_prompts_tool_name_idx").on(t.toolId, t.name),
    index("chain_prompts_tool_ordinal_idx").on(t.toolId, t.ordinal),
  ],
);

/**
 * What `tool_executions.tool_id` holds for a draft run (an unsaved tool, SPEC §5): the column stays
 * NOT NULL because SQLite can only drop that by rebuilding the table, and in D1 (foreign keys always
 * on) dropping `tool_executions` cascades to every prompt result. No tool has the empty id.
 */
export const DRAFT_TOOL_ID = "";

/** The stored tool id of an execution (`DRAFT_TOOL_ID` for a draft), for raw statements. */
export const storedToolId = (toolId: string | null): string => toolId ?? DRAFT_TOOL_ID;

/** `tool_id` as the code sees it: a tool's id, or null for a draft run. */
const executionToolId = customType<{ data: string | null; driverData: string; notNull: true }>({
  dataType: () => "text",
  toDriver: storedToolId,
  fromDriver: (value) => (value === DRAFT_TOOL_ID ? null : value),
});

export const toolExecutions = sqliteTable(
  "tool_executions",
  {
    id: text("id").primaryKey(),
    ownerId: text("owner_id").notNull(),
    // No foreign key: deleting a tool keeps its executions' records. Null: a draft run (no saved tool).
    toolId: executionToolId("tool_id").notNull(),
    toolName: text("tool_name").notNull(),
    status: text("status").$type<ExecutionStatus>().notNull().default("pending"),
    /**
     * The inputs of a run from before 0011 (its record blob may lack them); `{}` for a newer run, whose
     * inputs its object holds while it runs and its record blob in R2 once it ended (D1: `inputs_preview`).
     */
    inputs: text("inputs", { mode: "json" }).$type<Record<string, unknown>>().notNull(),
    error: text("error", { mode: "json" }).$type<ErrorInfo>(),
    idempotencyKey: text("idempotency_key"),
    /** What the Idempotency-Key was first used for (a retry must send the same). */
    requestFingerprint: text("request_fingerprint"),
    durableObjectId: text("durable_object_id"),
    /** The tool's settings as they were when this ran (a rerun runs the same plan). */
    onPromptError: text("on_prompt_error", { enum: ["stop", "continue"] })
      .notNull()
      .default("stop"),
    /** As `inputs`: a run's from before 0011, else null (a newer run's are in its object, then its record blob). */
    inputFields: text("input_fields", { mode: "json" }).$type<FieldSnapshot[]>(),
    /** A rerun's lineage: the execution it reran, and the prompt it reran from. */
    sourceExecutionId: text("source_execution_id"),
    fromPromptId: text("from_prompt_id"),
    /** Micro-dollars: the sum of the prompts' costs, written when the execution ends. */
    costMicros: integer("cost_micros"),
    /** The tool's budget as it was when this ran (a rerun is held to it), and the budget this run had (the lower of the tool's and the request's). */
    toolBudgetMicros: integer("tool_budget_micros"),
    budgetMicros: integer("budget_micros"),
    /** Micro-dollars of the owner's daily budget held by this run while it runs (before accounts kept it). */
    reservedMicros: integer("reserved_micros").notNull().default(0),
    /**
     * Whether R2 holds the run's contents (outputs, the plan as it ran, inputs, request hashes), once it
     * ended, at `recordKey(ownerId, id)`; false for a row from before R2 (its outputs are in
     * prompt_results.output) or a run not ended yet.
     */
    inR2: integer("in_r2", { mode: "boolean" }).notNull().default(false),
    /** The inputs as one short line: what the list shows (its output preview is its last prompt's). */
    inputsPreview: text("inputs_preview"),
    createdAt: integer("created_at").notNull().default(now),
    startedAt: integer("started_at"),
    completedAt: integer("completed_at"),
  },
  (t) => [
    index("tool_executions_owner_created_idx").on(t.ownerId, t.createdAt),
    index("tool_executions_owner_status_idx").on(t.ownerId, t.status),
    uniqueIndex("tool_executions_owner_idempotency_idx").on(t.ownerId, t.idempotencyKey),
    index("tool_executions_owner_source_idx").on(t.ownerId, t.sourceExecutionId),
    // Retention finds the executions that ended before its cut.
    index("tool_executions_completed_idx").on(t.completedAt),
  ],
);

/** Keyed by (execution_id, prompt_id); migration 0011 makes it a WITHOUT ROWID table (Drizzle has no word for that). */
export const promptResults = sqliteTable(
  "prompt_results",
  {
    executionId: text("execution_id")
      .notNull()
      .references(() => toolExecutions.id, { onDelete: "cascade" }),
    promptId: text("prompt_id").notNull(),
    name: text("name").notNull(),
    position: integer("position").notNull(),
    ordinal: integer("ordinal").notNull(),
    model: text("model").notNull(),
    /** The prompt as it ran (a rerun runs the same, with its overrides). */
    systemContext: text("system_context"),
    content: text("content"),
    temperature: real("temperature"),
    maxTokens: integer("max_tokens"),
    /** An agent step's tool references and cap on model turns as it ran (null: an ordinary prompt). */
    tools: text("tools", { mode: "json" }).$type<string[]>(),
    maxSteps: integer("max_steps"),
    status: text("status").$type<PromptResultStatus>().notNull().default("pending"),
    /** The whole output, for rows from before R2; a newer row's is in R2 (see tool_executions.record_key). */
    output: text("output").notNull().default(""),
    /** The output's first 280 code points. */
    outputPreview: text("output_preview"),
    error: text("error", { mode: "json" }).$type<ErrorInfo>(),
    startedAt: integer("started_at"),
    completedAt: integer("completed_at"),
    durationMs: integer("duration_ms"),
    /** Usage summed over every attempt (what the provider bills). */
    inputTokens: integer("input_tokens"),
    outputTokens: integer("output_tokens"),
    /** Attempts started (0 when never started); each restart after a failure or an interruption adds one. */
    attempts: integer("attempts").notNull().default(0),
    /** Micro-dollars for every attempt at the model's catalogue price (the provider's usage; an attempt it never reported, at the estimate); null without a price. */
    costMicros: integer("cost_micros"),
    /** The tokenizer's estimate of that cost as the tokens streamed (null: no price); recorded beside the provider's figure. */
    estimatedCostMicros: integer("estimated_cost_micros"),
    /** What the provider billed past the reservation the call held (it ignored the output bound); null: nothing reserved. */
    overshootMicros: integer("overshoot_micros"),
    /**
     * Hash of the rendered request sent to the model: a rerun reuses the output when its request is the
     * same. Kept here for rows from before 0011; a newer run's is in its record blob (null here).
     */
    requestHash: text("request_hash"),
    /** Copied from the source execution by a rerun, not sent to the model. */
    reused: integer("reused", { mode: "boolean" }).notNull().default(false),
  },
  (t) => [primaryKey({ columns: [t.executionId, t.promptId] })],
);

/** The rest of a prompt's output when it is longer than one stored part (see lib/text-parts). */
export const promptOutputParts = sqliteTable(
  "prompt_output_parts",
  {
    executionId: text("execution_id")
      .notNull()
      .references(() => toolExecutions.id, { onDelete: "cascade" }),
    promptId: text("prompt_id").notNull(),
    /** 1, 2, …: part 0 is `prompt_results.output`. */
    part: integer("part").notNull(),
    text: text("text").notNull(),
  },
  (t) => [primaryKey({ columns: [t.executionId, t.promptId, t.part] })],
);

/**
 * What an execution spent, per model its plan used: no content, so it outlives the execution's record
 * (a deletion keeps it, and the usage reports read it). Written with the record when the run ends.
 */
export const spendingEntries = sqliteTable(
  "spending_entries",
  {
    executionId: text("execution_id").notNull(),
    model: text("model").notNull(),
    ownerId: text("owner_id").notNull(),
    /** The UTC day the execution was created (its start, ms since the epoch): it counts on that day. */
    day: integer("day").notNull(),
    toolId: text("tool_id").notNull(),
    toolName: text("tool_name").notNull(),
    /** How the execution ended. */
    status: text("status").$type<ExecutionStatus>().notNull(),
    inputTokens: integer("input_tokens").notNull().default(0),
    outputTokens: integer("output_tokens").notNull().default(0),
    costMicros: integer("cost_micros").notNull().default(0),
  },
  (t) => [
    primaryKey({ columns: [t.executionId, t.model] }),
    index("spending_entries_owner_day_idx").on(t.ownerId, t.day),
    index("spending_entries_day_idx").on(t.day),
  ],
);

/** Who did what to which record (deletions, purges, shared-tool changes, admin reads), newest read first. */
export const auditLog = sqliteTable(
  "audit_log",
  {
    id: text("id").primaryKey(),
    at: integer("at").notNull(),
    actor: text("actor").notNull(),
    action: text("action").$type<AuditAction>().notNull(),
    targetType: text("target_type").notNull(),
    targetId: text("target_id").notNull(),
  },
  (t) => [index("audit_log_at_idx").on(t.at, t.id)],
);

/**
 * Who a user id is, for reports that name people (the admin usage report by user): a copy of the profile
 * each user's account object holds, written by that object in the background whenever it changes.
 */
export const userProfiles = sqliteTable("user_profiles", {
  userId: text("user_id").primaryKey(),
  email: text("email"),
  name: text("name"),
  /** The profile's own change time in the account (epoch ms): an older copy never overwrites a newer one. */
  updatedAt: integer("updated_at").notNull(),
});

/** What the audit trail records (SPEC §14). */
export const AUDIT_ACTIONS = [
  "execution.deleted",
  "user.data_deleted",
  "retention.deleted",
  "admin.purged",
  "tool.shared_changed",
  "admin.read",
] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number];

/** An input field as an execution keeps it, to check a rerun's inputs the way the original ones were. */
export interface FieldSnapshot {
  name: string;
  label: string;
  type: FieldType;
  required: boolean;
  options: string[] | null;
}

export type ToolRow = typeof tools.$inferSelect;
export type InputFieldRow = typeof toolInputFields.$inferSelect;
export type PromptRow = typeof chainPrompts.$inferSelect;
export type ExecutionRow = typeof toolExecutions.$inferSelect;
export type PromptResultRow = typeof promptResults.$inferSelect;
export type SpendingEntryRow = typeof spendingEntries.$inferSelect;
export type AuditRow = typeof auditLog.$inferSelect;
export type UserProfileRow = typeof userProfiles.$inferSelect;

/** A tool with its input fields and its prompts in run order. */
export interface ToolRecord {
  tool: ToolRow;
  inputFields: InputFieldRow[];
  prompts: PromptRow[];
}
