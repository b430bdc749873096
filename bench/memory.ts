// Memory after bursts. Each side runs in its own fresh workerd, so "start" means the same for both:
// ours runs the scale case's executions; the baseline relay serves the same clients at once with the
// same model calls (one per prompt, in sequence). After each round the objects are left idle until
// evicted, then the isolate's heap is read after a forced GC, and workerd's RSS from /proc.
import { setTimeout as sleep } from "node:timers/promises";
import { freePort } from "../test/upstream/local-worker.ts";
import { startBenchWorker } from "./bench-worker-process.ts";
import { baseline, type Ctx, completed, scaleBurst, scaleModel, scaleShape, scaleTools } from "./cases.ts";
import { BenchClient, benchVars } from "./client.ts";
import { connectDevtools } from "./devtools.ts";
import { findWorkerd, rssMiB } from "./rss.ts";

export type MemorySide = "ours" | "baseline";

export interface MemoryReading {
  /** The Worker isolate's heap in use after a full GC (the Worker and its Durable Objects share it). */
  heapMiB: number;
  rssMiB: number;
}

export interface MemorySeries {
  start: MemoryReading;
  rounds: MemoryReading[];
}

/** Local workerd evicts a Durable Object 10 s after its last request; measure after that, as production would. */
const IDLE_EVICTION_MS = 12_000;
const MiB = 2 ** 20;

async function oursRound(ctx: Ctx, tools: { user: string; toolId: string }[]): Promise<void> {
  const runs = await scaleBurst(ctx, tools);
  const failed = runs.filter((run) => !completed(run)).length;
  if (failed > 0) throw new Error(`memory case: ${failed} of ${runs.length} executions did not complete`);
}

async function baselineRound(ctx: Ctx, model: string, users: number): Promise<void> {
  const { perUser, prompts } = scaleShape(ctx.quick);
  const clients = Array.from({ length: users * perUser }, async () => {
    for (let prompt = 0; prompt < prompts; prompt++)
      if (!completed(await baseline(ctx, model).catch(() => null))) return false;
    return true;
  });
  const failed = (await Promise.all(clients)).filter((ok) => !ok).length;
  if (failed > 0) throw new Error(`memory case: ${failed} baseline clients did not complete`);
}

export async function burstMemory(
  side: MemorySide,
  upstreamUrl: string,
  rounds: number,
  quick: boolean,
): Promise<MemorySeries> {
  const inspectorPort = await freePort();
  const worker = await startBenchWorker({
    entry: "bench/worker/bench-worker.ts",
    vars: benchVars(upstreamUrl),
    inspectorPort,
  });
  try {
    const workerdPid = findWorkerd(worker.pid);
    if (!workerdPid) throw new Error("workerd process not found");
    const devtools = await connectDevtools(inspectorPort);
    try {
      const ctx: Ctx = { client: new BenchClient(worker.baseUrl, upstreamUrl), workerdPid, quick };
      const model = await scaleModel(ctx.client);
      const tools = await scaleTools(ctx.client, model, quick);
      const tick = () => fetch(`${worker.baseUrl}/bench/tick`);
      const read = async (): Promise<MemoryReading> => {
        await sleep(IDLE_EVICTION_MS);
        return { heapMiB: (await devtools.collectGarbage(tick)) / MiB, rssMiB: rssMiB(workerdPid) };
      };
      const round = (users: number) =>
        side === "ours" ? oursRound(ctx, tools.slice(0, users)) : baselineRound(ctx, model, users);
      // A small burst of the same shape first (one user's executions), so the code it loads and
      // compiles counts in the start, not as growth.
      await round(1);
      const start = await read();
      const readings: MemoryReading[] = [];
      for (let i = 0; i < rounds; i++) {
        await round(tools.length);
        readings.push(await read());
      }
      return { start, rounds: readings };
    } finally {
      devtools.close();
    }
  } finally {
    await worker.stop();
  }
}
