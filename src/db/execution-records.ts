// An execution's record in D1, the index the lists and reports read. The execution's object writes it
// off the run's path: once when the run starts (its header and prompts as planned) and once, whole,
// when it ends (or when D1 answers again). Each write is one batch of upserts, so writing it again,
// after a failure or a repair, changes nothing but what is newer. D1 gets no inputs (their one-line
// preview only), input fields, request hashes, outputs or prompt texts: the object holds them while
// the run lives, its record blob in R2 once it ended (record-blobs.ts).
import { sql } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import type { ErrorInfo, Usage } from "../events/types";
import type { ExecutionStatus, PromptResultStatus } from "../schemas/statuses";
import type { Database } from "./client";
import { inputsPreview, previewOf } from "./execution-summary";
import {
  type ExecutionRow,
  type FieldSnapshot,
  type PromptResultRow,
  promptResults,
  spendingEntries,
  storedToolId,
  toolExecutions,
} from "./schema";

/** A prompt result as its row records it (the engine's outcomes have this shape). */
export interface PromptRecord {
  status: PromptResultStatus;
  output: string;
  error: ErrorInfo | null;
  startedAt: number | null;
  completedAt: number | null;
  /** Summed over every attempt. */
  usage: Usage | null;
  costMicros: number | null;
  estimatedCostMicros: number | null;
  overshootMicros: number | null;
  attempts: number;
  requestHash: string | null;
  reused: boolean;
}

/** A prompt as it runs (a rerun's overrides applied), and how far it got. */
export interface PromptRecordWrite extends PromptRecord {
  promptId: string;
  name: string;
  position: number;
  ordinal: number;
  model: string;
  systemContext: string | null;
  content: string;
  temperature: number | null;
  maxTokens: number | null;
  /** An agent step's tool references and cap on model turns; both null for an ordinary prompt. */
  tools: string[] | null;
  maxSteps: number | null;
}

/** The header a run's object knows (absent for a run an earlier version started: its row exists). */
export interface ExecutionHeaderWrite {
  ownerId: string;
  toolId: string | null;
  toolName: string;
  inputs: Record<string, unknown>;
  inputFields: FieldSnapshot[];
  onPromptError: "stop" | "continue";
  idempotencyKey: string | null;
  requestFingerprint: string | null;
  sourceExecutionId: string | null;
  fromPromptId: string | null;
  toolBudgetMicros: number | null;
  budgetMicros: number | null;
  createdAt: number;
}

/** Everything an execution's record holds, as its object writes it. */
export interface ExecutionRecordWrite {
  executionId: string;
  header: ExecutionHeaderWrite | null;
  /** Where R2 keeps its contents once it ended (null before: D1 holds only the index meanwhile); D1 keeps whether. */
  recordKey: string | null;
  status: ExecutionStatus;
  error: ErrorInfo | null;
  costMicros: number | null;
  startedAt: number | null;
  completedAt: number | null;
  prompts: PromptRecordWrite[];
}

const RETRY_DELAYS_MS = [50, 250, 1000];

/** Tries a write again after a blip, a few times, then throws what the last try threw. */
export async function withRetry<T>(write: () => Promise<T>): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await write();
    } catch (error) {
      const delay = RETRY_DELAYS_MS[attempt];
      if (delay === undefined) throw error;
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  }
}

/** A prompt's outcome and preview, as its record shows it (D1 takes it without the request hash: see `writeExecutionRecord`). */
function resultColumns(prompt: PromptRecordWrite) {
  return {
    status: prompt.status,
    output: "",
    outputPreview: prompt.output === "" ? null : previewOf(prompt.output),
    error: prompt.error,
    startedAt: prompt.startedAt,
    completedAt: prompt.completedAt,
    durationMs: prompt.startedAt === null || prompt.completedAt === null ? null : prompt.completedAt - prompt.startedAt,
    inputTokens: prompt.usage?.inputTokens ?? null,
    outputTokens: prompt.usage?.outputTokens ?? null,
    attempts: prompt.attempts,
    costMicros: prompt.costMicros,
    estimatedCostMicros: prompt.estimatedCostMicros,
    overshootMicros: prompt.overshootMicros,
    requestHash: prompt.requestHash,
    reused: prompt.reused,
  };
}

/** The last prompt with output (highest position; among equals, the last in run order): the list's preview. */
export function lastOutputPreview(prompts: readonly PromptRecordWrite[]): string | null {
  let last: PromptRecordWrite | null = null;
  for (const prompt of prompts) if (prompt.output !== "" && (!last || prompt.position >= last.position)) last = prompt;
  return last ? previewOf(last.output) : null;
}

/**
 * Writes an execution's index in D1, all of it in one batch (D1 runs a batch as one transaction):
 * statuses, times, usage, cost, lineage, previews, and whether R2 holds the contents. No input (only
 * its preview), input field, request hash, output or prompt text goes to D1. A run an earlier version
 * started with its header in D1 loses its inputs there too: its record blob carries them.
 */
export async function writeExecutionRecord(db: Database, record: ExecutionRecordWrite): Promise<void> {
  const { executionId, header } = record;
  const run = {
    status: record.status,
    error: record.error,
    costMicros: record.costMicros,
    startedAt: record.startedAt,
    completedAt: record.completedAt,
    inR2: record.recordKey !== null,
  };
  const inD1 = { ...run, inputs: {}, inputFields: null };
  const execution = header
    ? db
        .insert(toolExecutions)
        .values({
          id: executionId,
          ...header,
          // Drizzle passes a null past the column's own mapping: a draft run's is stored as such here.
          toolId: storedToolId(header.toolId),
          inputsPreview: inputsPreview(header.inputs, header.inputFields),
          ...inD1,
          durableObjectId: null,
        })
        .onConflictDoUpdate({ target: toolExecutions.id, set: inD1 })
    : db.update(toolExecutions).set(run).where(sql`${toolExecutions.id} = ${executionId}`);
  const prompts = record.prompts.map((prompt) => {
    const columns = { ...resultColumns(prompt), requestHash: null };
    return db
      .insert(promptResults)
      .values({
        executionId,
        promptId: prompt.promptId,
        name: prompt.name,
        position: prompt.position,
        ordinal: prompt.ordinal,
        model: prompt.model,
        systemContext: null,
        content: null,
        temperature: prompt.temperature,
        maxTokens: prompt.maxTokens,
        tools: prompt.tools,
        maxSteps: prompt.maxSteps,
        ...columns,
      })
      .onConflictDoUpdate({ target: [promptResults.executionId, promptResults.promptId], set: columns });
  });
  await withRetry(() => db.batch([execution, ...prompts, ...spendingWrites(db, record)]));
}

const DAY_MS = 86_400_000;

/**
 * An ended execution's spending entries: one per model its plan used, with the tokens and cost of its
 * prompts on that model (a prompt that never ran counts 0). Written with its record, kept after it.
 */
function spendingWrites(db: Database, record: ExecutionRecordWrite): BatchItem<"sqlite">[] {
  const { header } = record;
  if (!header || record.completedAt === null || record.status === "pending" || record.status === "running") return [];
  const byModel = new Map<string, { inputTokens: number; outputTokens: number; costMicros: number }>();
  for (const prompt of record.prompts) {
    const entry = byModel.get(prompt.model) ?? { inputTokens: 0, outputTokens: 0, costMicros: 0 };
    entry.inputTokens += prompt.usage?.inputTokens ?? 0;
    entry.outputTokens += prompt.usage?.outputTokens ?? 0;
    entry.costMicros += prompt.costMicros ?? 0;
    byModel.set(prompt.model, entry);
  }
  return [...byModel].map(([model, spent]) => {
    const row = {
      executionId: record.executionId,
      model,
      ownerId: header.ownerId,
      day: header.createdAt - (header.createdAt % DAY_MS),
      toolId: storedToolId(header.toolId),
      toolName: header.toolName,
      status: record.status,
      ...spent,
    };
    return db
      .insert(spendingEntries)
      .values(row)
      .onConflictDoUpdate({ target: [spendingEntries.executionId, spendingEntries.model], set: row });
  });
}

/**
 * An execution's whole record in the shape of D1's rows, outputs and prompt texts included (the record
 * API reads a live run's from its object, and an ended one's from D1 and R2, in this one shape).
 */
export function rowsOf(record: ExecutionRecordWrite & { header: ExecutionHeaderWrite }): {
  execution: ExecutionRow;
  results: PromptResultRow[];
} {
  const { header } = record;
  const execution: ExecutionRow = {
    id: record.executionId,
    ...header,
    status: record.status,
    error: record.error,
    costMicros: record.costMicros,
    startedAt: record.startedAt,
    completedAt: record.completedAt,
    durableObjectId: null,
    reservedMicros: 0,
    inR2: record.recordKey !== null,
    inputsPreview: inputsPreview(header.inputs, header.inputFields),
  };
  const results = record.prompts.map(
    (prompt): PromptResultRow => ({
      executionId: record.executionId,
      promptId: prompt.promptId,
      name: prompt.name,
      position: prompt.position,
      ordinal: prompt.ordinal,
      model: prompt.model,
      systemContext: prompt.systemContext,
      content: prompt.content,
      temperature: prompt.temperature,
      maxTokens: prompt.maxTokens,
      tools: prompt.tools,
      maxSteps: prompt.maxSteps,
      ...resultColumns(prompt),
      output: prompt.output,
    }),
  );
  return { execution, results };
}
