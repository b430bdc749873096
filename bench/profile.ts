// `npm run bench:profile`: a V8 CPU profile of workerd while the scale case runs (or, with
// `-- --case throughput`, while one execution relays 50,000 chunks; `-- --case fanout`, while 100
// readers follow one execution), printed as the functions with the most self time. Connects to
// wrangler's inspector proxy over CDP.
import { freePort } from "../test/upstream/local-worker.ts";
import { ScriptedUpstream } from "../test/upstream/server.ts";
import { startBenchWorker } from "./bench-worker-process.ts";
import { check, ours, scale } from "./cases.ts";
import { BenchClient, benchVars, newUser } from "./client.ts";
import { connectDevtools } from "./devtools.ts";
import { fanOut } from "./peers/cases.ts";
import { ours as oursSystem } from "./peers/systems.ts";
import { findWorkerd } from "./rss.ts";

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  startTime: number;
  endTime: number;
}

const INSPECTOR_PORT = await freePort();
const caseName = process.argv.includes("--case") ? process.argv[process.argv.indexOf("--case") + 1] : "scale";
if (caseName !== "scale" && caseName !== "throughput" && caseName !== "fanout")
  throw new Error("--case is scale, throughput or fanout");

const upstream = new ScriptedUpstream();
const upstreamUrl = await upstream.start();
const worker = await startBenchWorker({
  entry: "bench/worker/bench-worker.ts",
  vars: benchVars(upstreamUrl),
  inspectorPort: INSPECTOR_PORT,
});
try {
  const ctx = {
    client: new BenchClient(worker.baseUrl, upstreamUrl),
    workerdPid: findWorkerd(worker.pid) ?? 0,
    quick: true,
  };
  const user = newUser();
  const chunks = 50_000;
  const toolId =
    caseName === "throughput"
      ? await ctx.client.tool(user, await ctx.client.model({ kind: "stream", chunks: ["tok "], repeat: chunks }))
      : "";
  const { call } = await connectDevtools(INSPECTOR_PORT);
  await call("Profiler.enable");
  await call("Profiler.setSamplingInterval", { interval: 200 });
  await call("Profiler.start");
  if (caseName === "fanout") {
    const result = await fanOut({ client: ctx.client, quick: false, wrongRuns: new Map() }, oursSystem(ctx.client));
    console.log(`fan-out: ${result?.readers} readers, lag p99 ${result?.p99.toFixed(1)} ms`);
  } else if (caseName === "throughput") {
    const run = check(await ours(ctx, user, toolId), "throughput");
    console.log(`throughput: ${(chunks / (run.totalMs / 1000)).toFixed(0)} chunks/s, ${run.deltas} delta events`);
  } else {
    const result = await scale(ctx);
    console.log(`scale (quick): first delta p50 ${result.p50.toFixed(0)} ms, baseline ${result.baseP50.toFixed(0)} ms`);
  }
  const { profile } = (await call("Profiler.stop")) as unknown as { profile: Profile };
  const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
  const self = new Map<string, number>();
  for (const id of profile.samples) {
    const frame = nodes.get(id)?.callFrame;
    const key = frame
      ? `${frame.functionName || "(anonymous)"}  ${frame.url.split("/").pop() ?? ""}:${frame.lineNumber + 1}`
      : "?";
    self.set(key, (self.get(key) ?? 0) + 1);
  }
  console.log(`${profile.samples.length} samples; self time by function (bundle line numbers, see .wrangler/tmp):`);
  for (const [name, count] of [...self].sort((a, b) => b[1] - a[1]).slice(0, 40))
    console.log(`${((100 * count) / profile.samples.length).toFixed(1).padStart(5)} %  ${name}`);
} finally {
  await worker.stop();
  await upstream.stop();
}
