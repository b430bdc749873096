// A person's decision on an agent step's tool call (SPEC §12): the execution's owner approves or denies
// a waiting call; the first decision wins, the same one again is answered as it stands, another is a
// conflict. The run's object decides and resumes the run at once.
import type { DecideResult } from "../durable/session-types";
import type { ToolCallRecord } from "../events/types";
import { AppError, notFound } from "../lib/errors";
import { executionObject, isDeleted } from "./execution-reads";

export interface DecisionRequest {
  decision: "approve" | "deny";
  reason?: string;
}

/** Decides `callId` of the caller's execution; answers the call as the record shows it. */
export async function decideToolCall(
  env: Env,
  userId: string,
  executionId: string,
  callId: string,
  request: DecisionRequest,
): Promise<ToolCallRecord> {
  const [answered, deleted] = await Promise.all([
    executionObject(env, executionId).decide(userId, callId, request),
    isDeleted(env, userId, executionId, Number.POSITIVE_INFINITY),
  ]);
  // RPC's types drop a variant whose arguments are `Record<string, unknown>` (not provably serializable);
  // the object answers a DecideResult, structured-cloned.
  const answer = answered as unknown as DecideResult;
  if (deleted) throw notFound("Tool call");
  if (answer.kind === "decided") return answer.call;
  if (answer.kind === "conflict") {
    const { decision, decidedBy } = answer.call;
    const how = decision === "approve" ? "approved" : "denied";
    throw new AppError(
      "conflict",
      `The tool call was already ${how}${decidedBy === "timeout" ? " (nobody decided in time)" : ""}`,
    );
  }
  throw notFound("Tool call");
}
