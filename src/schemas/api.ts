// The HTTP request schemas: what each route validates, and what the OpenAPI reference documents.
import { z } from "zod";
import { EXECUTION_STATUSES } from "./statuses";
import { budgetSchema, LIMITS, promptSchema, toolBodySchema } from "./tool";

/** `:id` of a tool or an execution. */
export const idParam = z.strictObject({ id: z.string().min(1).max(128) });

/** `:id/tool-calls/:callId`: an execution and one of its agent steps' tool calls. */
export const toolCallParam = z.strictObject({
  id: z.string().min(1).max(128),
  callId: z.string().min(1).max(64),
});

/** A person's decision on a tool call. */
export const toolCallDecisionBody = z.strictObject({
  decision: z.enum(["approve", "deny"]),
  reason: z.string().trim().max(1000).optional(),
});

/** A user id in a path (an ID token's `sub`). */
export const userIdParam = z.strictObject({ userId: z.string().min(1).max(255) });

export const toolListQuery = z.strictObject({
  scope: z.enum(["all", "mine", "shared"]).default("all"),
  /** `created`: newest first; `lastUsed`: by the caller's latest execution of each, never-run ones after (newest first). */
  sort: z.enum(["created", "lastUsed"]).default("created"),
  limit: z.coerce.number().int().min(1).max(200).default(100),
});

/** `POST /api/executions`: a saved tool (`toolId`) or an unsaved one (`draft`, the editor's "Try it"), never both. */
export const createExecutionBody = z
  .strictObject({
    toolId: z.string().min(1).max(128).optional(),
    /** A tool body as for `POST /api/tools`, checked the same way, run without being saved. */
    draft: toolBodySchema.optional(),
    inputs: z.record(z.string(), z.unknown()).default({}),
    /** false creates a pending execution for the original endpoint to run later (a saved tool only). */
    start: z.boolean().default(true),
    /** A budget for this execution; with the tool's, the lower applies. */
    budget: budgetSchema.optional(),
  })
  .superRefine((body, context) => {
    if ((body.toolId === undefined) === (body.draft === undefined))
      context.addIssue({
        code: "custom",
        path: ["toolId"],
        message: "Send either toolId (a saved tool) or draft (an unsaved tool body), not both and not neither",
      });
    else if (body.draft !== undefined && !body.start)
      context.addIssue({
        code: "custom",
        path: ["start"],
        message: "A draft runs at once: start: false needs a toolId",
      });
  });

export const executionListQuery = z.strictObject({
  toolId: z.string().max(128).optional(),
  status: z.enum(EXECUTION_STATUSES).optional(),
  sourceExecutionId: z.string().max(128).optional(),
  /** Text the inputs or the output previews contain (case-insensitive for A–Z); at most 200 characters. */
  q: z.string().trim().max(200).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(20),
  cursor: z.string().max(200).optional(),
});

export const eventsQuery = z.strictObject({
  lastEventId: z.string().max(20).optional(),
  token: z.string().max(2048).optional(),
});

/** The `Idempotency-Key` header. */
export const idempotencyKey = z.string().min(1).max(200);

/** The original endpoint's body: a new execution's inputs, or the caller's pending execution (its inputs optional). */
export const streamBody = z
  .strictObject({
    toolId: z.string().min(1).max(128),
    inputs: z.record(z.string(), z.unknown()).optional(),
    executionId: z.string().min(1).max(128).optional(),
  })
  .refine((body) => body.inputs !== undefined || body.executionId !== undefined, {
    message:
      "Send inputs (to start a new execution) or executionId (of your pending execution, optionally with its inputs)",
  });

export const devTokenQuery = z.strictObject({ user: z.string().min(1).max(100).default("demo-user") });

/**
 * GET /auth/login: where to come back to (a same-origin path; anything else returns to `/`), and whether
 * the provider should let the user choose another account (after a refusal).
 */
export const loginQuery = z.object({
  returnTo: z.string().max(2048).optional(),
  prompt: z.enum(["select_account"]).optional(),
});

/** What a rerun may change in one prompt of the source's plan; its content is checked like a saved tool. */
export const promptOverride = z.strictObject({
  model: promptSchema.shape.model.optional(),
  content: promptSchema.shape.content.optional(),
  systemContext: promptSchema.shape.systemContext,
  temperature: promptSchema.shape.temperature,
  maxTokens: promptSchema.shape.maxTokens,
});

/** `POST /api/executions/:id/rerun`. */
export const rerunBody = z.strictObject({
  /** Prompts before this one's position are reused when their request is unchanged; default: the first that did not complete. */
  fromPromptId: z.string().min(1).max(128).optional(),
  /** Merged over the source execution's inputs. */
  inputs: z.record(z.string(), z.unknown()).optional(),
  /** Per prompt id. */
  prompts: z
    .record(z.string().min(1).max(128), promptOverride)
    .refine((overrides) => Object.keys(overrides).length <= LIMITS.promptsPerTool, {
      message: `at most ${LIMITS.promptsPerTool} prompt overrides`,
    })
    .optional(),
  /** A budget for the rerun; with the source's tool budget, the lower applies. */
  budget: budgetSchema.optional(),
});

/** Whether `YYYY-MM-DD` names a day that exists (a parser may roll 2025-02-30 over to March). */
function isCalendarDay(day: string): boolean {
  const ms = Date.parse(`${day}T00:00:00Z`);
  return Number.isFinite(ms) && new Date(ms).toISOString().startsWith(day);
}

/** A UTC day as `YYYY-MM-DD`. */
const reportDay = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, { message: "must be a date as YYYY-MM-DD", abort: true })
  .refine(isCalendarDay, { message: "is not a date in the calendar" });

/** What every usage report takes: the days (both included; defaults in services/usage.ts) and the format. */
const reportQuery = {
  from: reportDay.optional(),
  to: reportDay.optional(),
  format: z.enum(["json", "csv"]).default("json"),
};

/** `GET /api/usage`: the caller's own usage. */
export const usageQuery = z.strictObject({ ...reportQuery, groupBy: z.enum(["day", "tool", "model"]).default("day") });

/** `GET /api/admin/usage`: everyone's. */
export const adminUsageQuery = z.strictObject({
  ...reportQuery,
  groupBy: z.enum(["user", "tool", "model", "day"]).default("day"),
});

/** `GET /api/admin/audit`. */
export const auditQuery = z.strictObject({
  cursor: z.string().max(200).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});
