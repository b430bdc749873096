// An execution's events as an SSE response: live from its object, replayed from the object's log,
// or rebuilt from the D1 records once the log has passed retention.
import type { Database } from "../db/client";
import { findPromptResults } from "../db/execution-queries";
import type { ExecutionRow } from "../db/schema";
import type { ExecutionSession } from "../durable/execution-session";
import { replayFromRecords } from "../events/replay";
import type { StreamFormat } from "../events/sse";
import { AppError } from "../lib/errors";

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

/** The events after `afterId`: 204 when a finished execution has nothing more. */
export async function eventsResponse(
  source: { stub: DurableObjectStub<ExecutionSession>; db: Database },
  execution: ExecutionRow,
  { afterId, format, headers }: EventsRequest,
): Promise<Response> {
  const opened = await source.stub.openStream({ afterId, format });
  if (opened.kind === "finished") return new Response(null, { status: 204, headers });
  if (opened.kind === "stream") return new Response(opened.stream, { headers: { ...SSE_HEADERS, ...headers } });
  if (execution.status === "pending") throw new AppError("conflict", "The execution has not started");
  // The object's log is gone (retention): rebuild the events from the records.
  const body = replayFromRecords(execution, await findPromptResults(source.db, execution.id), afterId, format);
  return body === null
    ? new Response(null, { status: 204, headers })
    : new Response(body, { headers: { ...SSE_HEADERS, ...headers } });
}
