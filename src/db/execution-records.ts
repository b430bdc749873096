// D1 status transitions of one execution, written at state changes only (start, each prompt's
// end, the end). Each write is retried briefly; a write that still fails is reported to the caller.
import { and, eq, inArray, lte, sql } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import type { ErrorInfo, Usage } from "../events/types";
import { splitText } from "../lib/text-parts";
import type { FinalExecutionStatus, FinalPromptStatus } from "../schemas/statuses";
import type { Database } from "./client";
import { holdDaily } from "./daily-spending";
import { promptOutputParts, promptResults, toolExecutions } from "./schema";

/** A prompt result's end, as its row records it (the engine's PromptRecord has this shape). */
export interface PromptRecord {
  status: FinalPromptStatus;
  output: string;
  error: ErrorInfo | null;
  startedAt: number | null;
  completedAt: number;
  /** Summed over every attempt. */
  usage: Usage | null;
  /** Micro-dollars at the model's price: the usage, or the estimate for an attempt never reported (null: no price). */
  costMicros: number | null;
  /** The tokenizer's estimate of that cost as tokens streamed (null: not counted). */
  estimatedCostMicros: number | null;
  /** What providers billed past the reservations of its calls (null: nothing was reserved). */
  overshootMicros: number | null;
  attempts: number;
  /** Hash of the rendered request (null when it never rendered, e.g. skipped). */
  requestHash: string | null;
  /** Copied from a rerun's source, not sent to the model. */
  reused: boolean;
}

/** How an execution ended, as written to its row (and to the prompts still open). */
export interface ExecutionEnd {
  status: FinalExecutionStatus;
  error: ErrorInfo | null;
  completedAt: number;
  /** What a prompt still running becomes (one never started is skipped). */
  endedRunningAs: FinalPromptStatus;
  /** False when every prompt already ended: only the execution row is written. */
  promptsOpen?: boolean;
  /** The sum of the prompts' costs. */
  costMicros?: number;
}

/** Everything D1 should hold about an ended execution, written at once (a repair after D1 missed writes). */
export interface ExecutionRecordSnapshot {
  status: FinalExecutionStatus;
  error: ErrorInfo | null;
  costMicros: number;
  startedAt: number | null;
  completedAt: number;
  prompts: ({ promptId: string } & PromptRecord)[];
}

const RETRY_DELAYS_MS = [50, 250, 1000];

async function withRetry<T>(write: () => Promise<T>): Promise<T> {
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

function promptColumns(outcome: PromptRecord) {
  return {
    status: outcome.status,
    error: outcome.error,
    startedAt: outcome.startedAt,
    completedAt: outcome.completedAt,
    durationMs: outcome.startedAt === null ? null : outcome.completedAt - outcome.startedAt,
    inputTokens: outcome.usage?.inputTokens ?? null,
    outputTokens: outcome.usage?.outputTokens ?? null,
    attempts: outcome.attempts,
    costMicros: outcome.costMicros,
    estimatedCostMicros: outcome.estimatedCostMicros,
    overshootMicros: outcome.overshootMicros,
    requestHash: outcome.requestHash,
    reused: outcome.reused,
  };
}

/** Writes one execution's transitions to D1. */
export class ExecutionRecords {
  constructor(
    private readonly db: Database,
    readonly executionId: string,
  ) {}

  private prompt(promptId: string) {
    return and(eq(promptResults.executionId, this.executionId), eq(promptResults.promptId, promptId));
  }

  /** A group of prompts (one position) starts. */
  async markPromptsRunning(promptIds: readonly string[], startedAt: number): Promise<void> {
    await withRetry(() =>
      this.db
        .update(promptResults)
        // A prompt resumed after a restart keeps the time it first started.
        .set({ status: "running", startedAt: sql`coalesce(${promptResults.startedAt}, ${startedAt})` })
        .where(and(eq(promptResults.executionId, this.executionId), inArray(promptResults.promptId, [...promptIds]))),
    );
  }

  /** A prompt's end state; an output over one part's size continues in prompt_output_parts. */
  private promptWrites(promptId: string, outcome: PromptRecord): [BatchItem<"sqlite">, ...BatchItem<"sqlite">[]] {
    const [head = "", ...rest] = splitText(outcome.output);
    const update = this.db
      .update(promptResults)
      .set({ ...promptColumns(outcome), output: head })
      .where(this.prompt(promptId));
    const parts = rest.map((text, index) =>
      this.db
        .insert(promptOutputParts)
        .values({ executionId: this.executionId, promptId, part: index + 1, text })
        .onConflictDoUpdate({
          target: [promptOutputParts.executionId, promptOutputParts.promptId, promptOutputParts.part],
          set: { text },
        }),
    );
    return [update, ...parts];
  }

  /** Sets what this running execution holds of its owner's daily `cap` (see holdDaily); answers the grant. */
  holdDaily(ownerId: string, cap: number, request: { base: number; want: number; min: number }): Promise<number> {
    return withRetry(() => holdDaily(this.db, { executionId: this.executionId, ownerId, cap, ...request }));
  }

  async finishPrompt(promptId: string, outcome: PromptRecord): Promise<void> {
    await withRetry(() => this.db.batch(this.promptWrites(promptId, outcome)));
  }

  /**
   * The execution ends: its status, and every prompt not yet finished becomes `skipped`
   * (never started) or `endedRunningAs` (was running) — nothing stays pending or running.
   * The execution row is already `running`: the service writes it so when the run starts.
   */
  async finishExecution({
    status,
    error,
    completedAt,
    endedRunningAs,
    promptsOpen = true,
    costMicros = 0,
  }: ExecutionEnd): Promise<void> {
    const execution = this.db
      .update(toolExecutions)
      .set({ status, error, completedAt, costMicros })
      .where(eq(toolExecutions.id, this.executionId));
    // When the caller knows every prompt already ended, the second statement would change nothing.
    if (!promptsOpen) {
      await withRetry(() => execution);
      return;
    }
    const openPrompts = this.db
      .update(promptResults)
      .set({
        status: sql`CASE ${promptResults.status} WHEN 'pending' THEN 'skipped' ELSE ${endedRunningAs} END`,
        completedAt,
      })
      .where(
        and(eq(promptResults.executionId, this.executionId), inArray(promptResults.status, ["pending", "running"])),
      );
    await withRetry(() => this.db.batch([execution, openPrompts]));
  }

  /**
   * A pending execution never started within the TTL ends `canceled` with the `expired` error and its
   * prompts `skipped`. Only a still-pending row created at or before `createdBefore` changes; true if it did.
   */
  async expirePending(createdBefore: number, now: number, ttlMs: number): Promise<boolean> {
    const error: ErrorInfo = {
      code: "expired",
      message: `The execution was not started within ${ttlMs} ms of its creation, so it was canceled`,
    };
    const [expired] = await withRetry(() =>
      this.db.batch([
        this.db
          .update(toolExecutions)
          .set({ status: "canceled", error, completedAt: now })
          .where(
            and(
              eq(toolExecutions.id, this.executionId),
              eq(toolExecutions.status, "pending"),
              lte(toolExecutions.createdAt, createdBefore),
            ),
          )
          .returning({ id: toolExecutions.id }),
        this.db
          .update(promptResults)
          .set({ status: "skipped", completedAt: now })
          .where(
            and(
              eq(promptResults.executionId, this.executionId),
              eq(promptResults.status, "pending"),
              sql`EXISTS (SELECT 1 FROM tool_executions WHERE id = ${this.executionId} AND status = 'canceled')`,
            ),
          ),
      ]),
    );
    return expired.length > 0;
  }

  /** Writes the whole final state at once (repair after D1 was unavailable). */
  async writeSnapshot(snapshot: ExecutionRecordSnapshot): Promise<void> {
    const [first, ...rest] = [
      this.db
        .update(toolExecutions)
        .set({
          status: snapshot.status,
          error: snapshot.error,
          startedAt: snapshot.startedAt,
          completedAt: snapshot.completedAt,
          costMicros: snapshot.costMicros,
        })
        .where(eq(toolExecutions.id, this.executionId)),
      ...snapshot.prompts.flatMap((prompt) => this.promptWrites(prompt.promptId, prompt)),
    ];
    await withRetry(() => this.db.batch([first, ...rest]));
  }
}
