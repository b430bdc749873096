// A run's record in D1, as its decisions ask for it: when it starts (in the background) and whole
// when it ends (or when D1 answers again). Writes go one at a time and in order, each the run's
// record as it stands when its turn comes; a failed write is logged and reported, never thrown.
import type { Database } from "../db/client";
import { writeExecutionRecord } from "../db/execution-records";
import { recordOf } from "../engine/outcomes";
import type { RecordWrite } from "../engine/run-io";
import type { RunState } from "../engine/run-state";
import { describeError, log } from "../lib/log";

/** What the writes read of the run when their turn comes. */
export interface RecordsHost {
  state(): RunState | undefined;
  database(): Database;
  /** Each prompt's output as this life of the object knows it, over what the event log holds. */
  outputs(): ReadonlyMap<string, string>;
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
      const ok = await writeExecutionRecord(this.host.database(), recordOf(state, this.host.outputs())).then(
        () => true,
        (error: unknown) => {
          log("error", "D1 write failed", {
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

  /** Resolves once every write asked for so far has ended. */
  settled(): Promise<void> {
    return this.queue;
  }
}
