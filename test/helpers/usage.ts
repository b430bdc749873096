// Ended executions written straight through the record writer (with chosen days, models, statuses and
// usage), the records read back to sum what a report should say, and an app with an administrator.
import { env } from "cloudflare:workers";
import { createDb } from "../../src/db/client";
import { type PromptRecordWrite, writeExecutionRecord } from "../../src/db/execution-records";
import type { FinalExecutionStatus } from "../../src/schemas/statuses";
import type { UsageGroup, UsageReport, UsageRow } from "../../src/schemas/usage";
import { tokenFor } from "./auth";
import { type Worker, worker } from "./oidc";

/** The administrator of `adminApp`. */
export const ADMIN = "usage-admin";
/** The Worker with ADMINS naming `ADMIN`. */
export const adminApp: Worker = worker({ ...env, ADMINS: ADMIN });

/** GET `path` as `user` on `adminApp`. */
export async function getAs(user: string, path: string): Promise<Response> {
  return adminApp(path, { headers: { Authorization: `Bearer ${await tokenFor(user)}` } });
}

export async function jsonAs<T>(user: string, path: string): Promise<{ status: number; body: T }> {
  const response = await getAs(user, path);
  return { status: response.status, body: (await response.json()) as T };
}

/** One prompt of a seeded run: its model and what it used (null: the provider reported nothing). */
export interface SeedPrompt {
  model: string;
  usage: { inputTokens: number; outputTokens: number; costMicros: number } | null;
}

export interface SeedRun {
  ownerId: string;
  toolId: string;
  toolName: string;
  /** Epoch ms: the run counts on this UTC day. */
  createdAt: number;
  status: FinalExecutionStatus;
  prompts: SeedPrompt[];
}

/** Writes an ended execution's record (and with it its spending entries) as its object would; returns its id. */
export async function seedRun(run: SeedRun): Promise<string> {
  const executionId = crypto.randomUUID();
  const prompts = run.prompts.map(
    (prompt, index): PromptRecordWrite => ({
      promptId: `p${index}`,
      name: `p${index}`,
      position: index,
      ordinal: index + 1,
      model: prompt.model,
      systemContext: null,
      content: "say something",
      temperature: null,
      maxTokens: null,
      tools: null,
      maxSteps: null,
      status: run.status === "completed" ? "completed" : "failed",
      output: "out",
      error: null,
      startedAt: run.createdAt,
      completedAt: run.createdAt + 1000,
      usage: prompt.usage && { inputTokens: prompt.usage.inputTokens, outputTokens: prompt.usage.outputTokens },
      costMicros: prompt.usage?.costMicros ?? null,
      estimatedCostMicros: null,
      overshootMicros: null,
      attempts: 1,
      requestHash: null,
      reused: false,
    }),
  );
  await writeExecutionRecord(createDb(env.DB), {
    executionId,
    header: {
      ownerId: run.ownerId,
      toolId: run.toolId,
      toolName: run.toolName,
      inputs: {},
      inputFields: [],
      onPromptError: "stop",
      idempotencyKey: null,
      requestFingerprint: null,
      sourceExecutionId: null,
      fromPromptId: null,
      toolBudgetMicros: null,
      budgetMicros: null,
      createdAt: run.createdAt,
    },
    recordKey: null,
    status: run.status,
    error: null,
    costMicros: prompts.reduce((sum, prompt) => sum + (prompt.costMicros ?? 0), 0),
    startedAt: run.createdAt,
    completedAt: run.createdAt + 2000,
    prompts,
  });
  return executionId;
}

/** A report and one of its rows, as the API answers them. */
export type UsageRowJson = UsageRow;
export type UsageJson = UsageReport;

interface RecordRow {
  id: string;
  owner_id: string;
  tool_id: string;
  status: string;
  created_at: number;
  model: string;
  input_tokens: number | null;
  output_tokens: number | null;
  cost_micros: number | null;
}

/**
 * What a report over `executionIds` should say, summed from their records (tool_executions and
 * prompt_results), not from the spending entries the report reads. Rows in key order.
 */
export async function expectedFromRecords(executionIds: string[], groupBy: UsageGroup): Promise<UsageRowJson[]> {
  const marks = executionIds.map(() => "?").join(",");
  const { results } = await env.DB.prepare(
    `SELECT e.id, e.owner_id, e.tool_id, e.status, e.created_at, r.model, r.input_tokens, r.output_tokens, r.cost_micros
     FROM tool_executions e JOIN prompt_results r ON r.execution_id = e.id WHERE e.id IN (${marks})`,
  )
    .bind(...executionIds)
    .all<RecordRow>();
  const groups = new Map<string, UsageRowJson & { ids: Set<string>; done: Set<string>; bad: Set<string> }>();
  for (const row of results) {
    const key =
      groupBy === "day"
        ? new Date(row.created_at).toISOString().slice(0, 10)
        : groupBy === "tool"
          ? row.tool_id
          : groupBy === "model"
            ? row.model
            : row.owner_id;
    const group = groups.get(key) ?? {
      key,
      executions: 0,
      completed: 0,
      failed: 0,
      inputTokens: 0,
      outputTokens: 0,
      costMicros: 0,
      ids: new Set(),
      done: new Set(),
      bad: new Set(),
    };
    group.ids.add(row.id);
    if (row.status === "completed") group.done.add(row.id);
    if (row.status === "failed" || row.status === "timed_out") group.bad.add(row.id);
    group.inputTokens += row.input_tokens ?? 0;
    group.outputTokens += row.output_tokens ?? 0;
    group.costMicros += row.cost_micros ?? 0;
    groups.set(key, group);
  }
  return [...groups.values()]
    .map(({ ids, done, bad, ...row }) => ({ ...row, executions: ids.size, completed: done.size, failed: bad.size }))
    .sort((a, b) => (a.key < b.key ? -1 : 1));
}

/** A report's rows without labels, in key order (to compare with `expectedFromRecords`). */
export const byKey = (rows: UsageRowJson[]) =>
  rows.map(({ label: _label, ...row }) => row).sort((a, b) => (a.key < b.key ? -1 : 1));

/** UTC midnight of `day` (YYYY-MM-DD), epoch ms. */
export const utc = (day: string, time = "00:00:00.000") => Date.parse(`${day}T${time}Z`);
