// Handing a run to its execution's Durable Object, and the per-user limits it is counted against.
import type { Database } from "../db/client";
import type { SlotLimits } from "../db/execution-queries";
import { ExecutionRecords } from "../db/execution-records";
import type { ExecutionSession } from "../durable/execution-session";
import type { ExecutionPlan } from "../engine/plan";
import type { Config } from "../lib/config";
import { AppError } from "../lib/errors";
import { describeError, log } from "../lib/log";
import type { ExecutionStatus } from "../schemas/statuses";

/** Starts the run in its object; returns the status it reports. A failure records the execution failed. */
export async function startSession(
  stub: DurableObjectStub<ExecutionSession>,
  db: Database,
  executionId: string,
  plan: ExecutionPlan,
): Promise<ExecutionStatus> {
  try {
    const { status } = await stub.start(plan);
    return status === "unknown" ? "pending" : status;
  } catch (error) {
    log("error", "could not start the execution's Durable Object", { executionId, error: describeError(error) });
    // Nothing ran: the execution fails and every prompt is skipped, so no record stays pending.
    await new ExecutionRecords(db, executionId).finishExecution({
      status: "failed",
      error: { code: "internal", message: "The execution could not be started" },
      completedAt: Date.now(),
      endedRunningAs: "failed",
    });
    throw new AppError("internal", "The execution could not be started", { cause: error });
  }
}

/** How many executions one user may hold live, and how long a pending one holds a slot. */
export const slotLimits = (config: Config): SlotLimits => ({
  maxConcurrent: config.maxConcurrentExecutions,
  pendingTtlMs: config.pendingTtlMs,
});

/** The answer when a user is at the limit. */
export const tooManyExecutions = (config: Config): AppError =>
  new AppError(
    "too_many_executions",
    `You already have ${config.maxConcurrentExecutions} executions running; wait for one to finish`,
    { retryAfter: 5 },
  );
