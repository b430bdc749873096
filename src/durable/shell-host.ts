// What a run's shell (run-shell.ts) needs of its object (execution-session.ts): the clock, storage,
// D1 and R2, other objects, and the object's own duties (the alarm, waitUntil, forgetting).
import type { Database } from "../db/client";
import type { LoggedCompletion } from "../engine/run-io";
import type { RunState } from "../engine/run-state";
import type { ExecutionEvent } from "../events/types";
import type { Config } from "../lib/config";
import type { ParentLink } from "../lib/nested-ids";
import type { NestedSession } from "./run-nested";
import type { UserAccount } from "./user-account";

/** What the shell needs of its object. */
export interface ShellHost {
  now(): number;
  config(): Config;
  /** Stores the run's state (rewritten after every decision). */
  save(state: RunState): void;
  /** Appends to the event log and wakes followers. */
  append(event: ExecutionEvent): void;
  /** Every prompt's output so far, its logged completion, and the tool calls whose end is logged (after a restart). */
  progress(): {
    outputs: ReadonlyMap<string, string>;
    completions: ReadonlyMap<string, LoggedCompletion>;
    loggedCalls: ReadonlySet<string>;
  };
  /** The object's key-value storage (tool calls' results live there). */
  kv(): SyncKvStorage;
  database(): Database;
  /** D1 itself (a nested execution's tool is read through its Sessions API). */
  d1(): D1Database;
  /** Another execution's object (a nested execution this run starts and waits for). */
  session(executionId: string): NestedSession;
  /** Tells a parent execution's object that this nested execution ended. */
  notifyParent(parent: ParentLink): Promise<void>;
  /** R2, where an ended run's contents go. */
  bucket(): R2Bucket;
  /** The owner's account (slots, the daily budget, the list's newest items). */
  account(userId: string): DurableObjectStub<UserAccount>;
  /** A rerun's source output for a prompt it reuses (undefined when there is none). */
  sourceOutput(sourceExecutionId: string, promptId: string): Promise<string | undefined>;
  /** The terminal event is stored: let go of the log's memory. */
  ended(): void;
  /** The event log's retention has passed: delete everything the object stores. */
  forget(): Promise<void>;
  /** Keeps the object alive while `work` goes on. */
  waitUntil(work: Promise<unknown>): void;
  /** The state changed: the object arms its alarm for what is next due. */
  changed(): void;
}
