// A run's D1 writes, as its decisions ask for them: one at a time and in order (a prompt's end never
// lands before its start), each mapped from the run's state to the rows db/ writes. A failed write is
// logged and reported, never thrown.
import type { ExecutionRecords } from "../db/execution-records";
import { outcomeOf, snapshotOf } from "../engine/outcomes";
import type { RecordWrite } from "../engine/run-io";
import { PENDING_PROMPT, type RunState } from "../engine/run-state";
import { describeError, log } from "../lib/log";

/** What the writes read of the run when their turn comes. */
export interface RecordsHost {
  state(): RunState | undefined;
  now(): number;
  records(executionId: string): ExecutionRecords;
  /** Each prompt's output as this life of the object knows it, over what the event log holds. */
  outputs(): ReadonlyMap<string, string>;
  waitUntil(work: Promise<unknown>): void;
}

export class RunRecords {
  private queue: Promise<void> = Promise.resolve();

  constructor(private readonly host: RecordsHost) {}

  /** Writes `write` after every write asked for before it; `done` hears whether D1 took it. */
  enqueue(write: RecordWrite, done: (ok: boolean) => void): void {
    this.queue = this.queue.then(async () => {
      const ok = await this.write(write).then(
        () => true,
        (error: unknown) => {
          log("error", "D1 write failed", {
            executionId: this.host.state()?.plan.executionId,
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

  /** Resolves once every write asked for so far has ended. */
  settled(): Promise<void> {
    return this.queue;
  }

  private async write(write: RecordWrite): Promise<void> {
    const state = this.host.state();
    if (!state) return;
    const records = this.host.records(state.plan.executionId);
    const now = this.host.now();
    switch (write.kind) {
      case "promptsRunning":
        return records.markPromptsRunning(write.promptIds, write.at);
      case "promptsEnded": {
        const outputs = this.host.outputs();
        for (const promptId of write.promptIds) {
          const prompt = state.prompts[promptId] ?? PENDING_PROMPT;
          await records.finishPrompt(promptId, outcomeOf(prompt, outputs.get(promptId) ?? "", now));
        }
        return;
      }
      case "ended":
        // A write that failed since the end was decided left the records owed: the whole state goes instead.
        if (state.owesSnapshot) return records.writeSnapshot(snapshotOf(state, this.host.outputs(), now));
        return records.finishExecution({ ...write, endedRunningAs: write.runningBecame });
      case "snapshot":
        return records.writeSnapshot(snapshotOf(state, this.host.outputs(), now));
    }
  }
}
