// A run's record, as its decisions ask for it: D1's index when it starts (in the background), and when
// it ends (or when D1 and R2 answer again) its contents in R2 and the whole index in D1. Writes go one
// at a time and in order, each the run as it stands when its turn comes; a failure is logged and
// reported, never thrown.
import type { Database } from "../db/client";
import { writeExecutionRecord } from "../db/execution-records";
import { putRecordBlob, type RecordBlob, recordKey } from "../db/record-blobs";
import type { ToolResult } from "../engine/agent-state";
import { recordOf } from "../engine/outcomes";
import type { RecordWrite } from "../engine/run-io";
import type { RunState } from "../engine/run-state";
import { toolCallsByPrompt } from "../engine/tool-call-records";
import { describeError, log } from "../lib/log";

/** What the writes read of the run when their turn comes. */
export interface RecordsHost {
  state(): RunState | undefined;
  database(): Database;
  /** R2, where an ended run's contents go. */
  bucket(): R2Bucket;
  /** Each prompt's output as this life of the object knows it, over what the event log holds. */
  outputs(): ReadonlyMap<string, string>;
  /** A tool call's stored result. */
  toolResult(callId: string): ToolResult | undefined;
  waitUntil(work: Promise<unknown>): void;
}

export class RunRecords {
  private queue: Promise<void> = Promise.resolve();

  constructor(private readonly host: RecordsHost) {}

  /** Writes the run's record after every write asked for before it; `done` hears whether D1 took it. */
  enqueue(write: RecordWrite, done: (ok: boolean) => void): void {
    this.queue = this.queue.then(async () => {
      const state = this.host.state();
      if (!state) return;
      const ok = await this.write(write, state).then(
        () => true,
        (error: unknown) => {
          log("error", "a record write failed (D1 or R2)", {
            executionId: state.plan.executionId,
            write: write.kind,
            error: describeError(error),
          });
          return false;
        },
      );
      done(ok);
    });
    this.host.waitUntil(this.queue);
  }

  /**
   * The start's index goes to D1 alone; the end's contents go to R2 first, then the index that points
   * at them to D1 (a failure of either leaves the whole write owed).
   */
  private async write(write: RecordWrite, state: RunState): Promise<void> {
    const outputs = this.host.outputs();
    if (write.kind === "index") return writeExecutionRecord(this.host.database(), recordOf(state, outputs));
    const { plan } = state;
    const key = recordKey(plan.ownerId, plan.executionId);
    const record = recordOf(state, outputs, key);
    const hashes = new Map(record.prompts.map((prompt) => [prompt.promptId, prompt.requestHash]));
    const toolCalls = toolCallsByPrompt(state, (callId) => this.host.toolResult(callId));
    const blob: RecordBlob = {
      version: 1,
      ...(plan.header ? { inputs: plan.header.inputs, inputFields: plan.header.inputFields } : {}),
      prompts: Object.fromEntries(
        plan.prompts.map((prompt) => [
          prompt.id,
          {
            systemContext: prompt.systemContext,
            content: prompt.content,
            output: outputs.get(prompt.id) ?? "",
            requestHash: hashes.get(prompt.id) ?? null,
            ...(toolCalls[prompt.id] ? { toolCalls: toolCalls[prompt.id] } : {}),
          },
        ]),
      ),
    };
    await putRecordBlob(this.host.bucket(), key, blob);
    await writeExecutionRecord(this.host.database(), record);
  }

  /** Resolves once every write asked for so far has ended. */
  settled(): Promise<void> {
    return this.queue;
  }
}
