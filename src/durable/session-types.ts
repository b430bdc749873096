// What the execution's object answers over RPC, and the seams it offers tests and the benchmark.
import type { ExecutionRow, PromptResultRow } from "../db/schema";
import type { RunState } from "../engine/run-state";
import type { StreamFormat } from "../events/sse";
import type { PendingToolCall, ToolCallRecord } from "../events/types";
import type { ExecutionStatus } from "../schemas/statuses";
import type { SessionStorage } from "./session-storage";
import type { UserAccount } from "./user-account";

export interface SessionStatus {
  status: ExecutionStatus | "unknown";
  lastEventId: number;
  subscribers: number;
}

export type OpenStreamResult =
  /** `createdAt`: when the run was created (a deletion of everything before a moment hides it). */
  | { kind: "stream"; stream: ReadableStream<Uint8Array>; createdAt: number }
  | { kind: "finished"; createdAt: number }
  /** Created to be started later: nothing to stream yet. */
  | { kind: "pending" }
  /** Deleted (DELETE /api/executions/:id): nothing of it is served from anywhere. */
  | { kind: "deleted" }
  | { kind: "unknown" };

/** What the object reads from outside itself: its storage, D1 and the clock. */
export interface SessionInternals {
  /** The run's state as stored (undefined before a start). */
  state(): RunState | undefined;
  useStorage(storage: SessionStorage): void;
  useDatabase(database: D1Database): void;
  /** The users' accounts (slots, the daily budget) the run talks to. */
  useAccounts(accounts: DurableObjectNamespace<UserAccount>): void;
  /** R2, where an ended run's contents go. */
  useBucket(bucket: R2Bucket): void;
  useClock(now: () => number): void;
}

/** Where a stream starts, and in which format. */
export interface StreamRequest {
  afterId: number;
  format: StreamFormat;
}

/** An execution's record as its rows would hold it, read from its object, with its agent steps' tool calls. */
export interface LiveRecord {
  execution: ExecutionRow;
  results: PromptResultRow[];
  toolCalls: Record<string, ToolCallRecord[]>;
  pendingToolCalls: PendingToolCall[];
}

/** What a decision on a tool call answers. */
export type DecideResult =
  | { kind: "decided"; call: ToolCallRecord }
  /** Decided otherwise already. */
  | { kind: "conflict"; call: ToolCallRecord }
  | { kind: "unknown" };
