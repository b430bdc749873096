// An execution's events as an SSE response: live from its object, replayed from the object's log,
// or rebuilt from the D1 records once the log has passed retention.
import type { Database } from "../db/client";
import { readOwnExecution } from "../db/execution-contents";
import type { OpenStreamResult } from "../durable/session-types";
import { isHidden } from "../durable/user/deletions";
import { replayFromRecords } from "../events/replay";
import type { StreamFormat } from "../events/sse";
import { AppError, notFound } from "../lib/errors";
import { userAccount } from "./accounts";
import { executionObject } from "./execution-reads";

export const SSE_HEADERS = {
  "Content-Type": "text/event-stream; charset=utf-8",
  "Cache-Control": "no-cache, no-transform",
  "X-Accel-Buffering": "no",
} as const;

export interface EventsRequest {
  afterId: number;
  format: StreamFormat;
  /** Extra response headers (the original endpoint's `X-Execution-Id`). */
  headers: Record<string, string>;
}

/** An SSE response from what the execution's object opened; null when the object does not hold the run. */
export function openedResponse(opened: OpenStreamResult, headers: Record<string, string>): Response | null {
  if (opened.kind === "finished") return new Response(null, { status: 204, headers });
  if (opened.kind === "stream") return new Response(opened.stream, { headers: { ...SSE_HEADERS, ...headers } });
  if (opened.kind === "pending") throw new AppError("conflict", "The execution has not started");
  if (opened.kind === "deleted") throw notFound("Execution");
  return null;
}

/**
 * The caller's events after `afterId`: live or replayed by the run's object (which knows its owner:
 * no D1 read), else rebuilt from D1's record once the object's log has passed retention. 204 when a
 * finished execution has nothing more.
 */
export async function eventsResponse(
  source: { env: Env; db: Database },
  userId: string,
  executionId: string,
  { afterId, format, headers }: EventsRequest,
): Promise<Response> {
  const [opened, deletion] = await Promise.all([
    executionObject(source.env, executionId).openStream({ afterId, format, userId }),
    userAccount(source.env, userId).deletionView(executionId),
  ]);
  const held = opened.kind === "stream" || opened.kind === "finished";
  if (deletion.deleted || (held && isHidden(deletion, opened.createdAt))) {
    if (opened.kind === "stream") await opened.stream.cancel();
    throw notFound("Execution");
  }
  const response = openedResponse(opened, headers);
  if (response) return response;
  const record = await readOwnExecution(source.db, source.env.OUTPUTS, executionId, userId);
  if (!record || isHidden(deletion, record.execution.createdAt)) throw notFound("Execution");
  if (record.execution.status === "pending") throw new AppError("conflict", "The execution has not started");
  const body = replayFromRecords(record.execution, record.results, afterId, format);
  return body === null
    ? new Response(null, { status: 204, headers })
    : new Response(body, { headers: { ...SSE_HEADERS, ...headers } });
}
