// Starts the bench's `wrangler dev` so that nothing of it outlives the benchmark: its process group is
// ended and its local state removed however the run ends (bench/reaper.ts).
import { rmSync } from "node:fs";
import { type LocalWorker, type LocalWorkerOptions, startLocalWorker } from "../test/upstream/local-worker.ts";
import { cleanupOnExit, reapOnExit } from "./reaper.ts";

export async function startBenchWorker(options: LocalWorkerOptions): Promise<LocalWorker> {
  reapOnExit();
  const worker = await startLocalWorker(options);
  const forget =
    options.persistTo === undefined
      ? cleanupOnExit(() => rmSync(worker.persistTo, { recursive: true, force: true }))
      : () => false;
  return {
    ...worker,
    stop: async () => {
      await worker.stop();
      forget();
    },
  };
}
