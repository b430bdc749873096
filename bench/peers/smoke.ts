import { startLocalWorker } from "../../test/upstream/local-worker.ts";
import { ScriptedUpstream } from "../../test/upstream/server.ts";
import { BenchClient, benchVars } from "../client.ts";
import { agentsChat } from "./agent-client.ts";
import { startDurableStreamsServer, startRedis, startResumableServer } from "./processes.ts";
import { durableStreams, ours, relay, resumableStream } from "./systems.ts";
import { writePeersConfig } from "./worker-config.ts";
const upstream = new ScriptedUpstream();
const upstreamUrl = await upstream.start();
const config = writePeersConfig();
const worker = await startLocalWorker({ entry: "bench/worker/peers-worker.ts", config: config.path, vars: benchVars(upstreamUrl) });
const redis = await startRedis();
const rs = await startResumableServer(redis.url, upstreamUrl);
const ds = await startDurableStreamsServer(upstreamUrl);
const client = new BenchClient(worker.baseUrl, upstreamUrl);
try {
const systems = [ours(client), relay(worker.baseUrl, "relay", "/bench/baseline"), relay(worker.baseUrl, "trivial", "/bench/trivial"), agentsChat(worker.baseUrl), resumableStream(rs.url, redis.commands), durableStreams(ds.url)];
const chunks = Array.from({ length: 200 }, (_, i) => `c${i} `);
const full = chunks.join("");
const model = await client.model({ kind: "stream", chunks, chunkDelayMs: 2 });
for (const s of systems) {
  try {
  await s.prepare?.(model, 2);
  const before = await s.writes?.();
  const t = await s.start(model);
  const r = await t.receipt;
  console.log(s.name, "run", t.run.slice(0, 40), "ok", r.text === full, r.text.length, "first", r.firstTextMs.toFixed(1), "bytes", r.wireBytes, "writes", before, await s.writes?.(t.run));
  if (!s.follow) continue;
  const t2 = await s.start(model, { stopAfterChars: full.length / 2 });
  const r1 = await t2.receipt;
  const r2 = await s.follow(t2.run, { from: r1 });
  const joined = s.replaysFromStart ? r2.text : r1.text + r2.text;
  console.log("  resume", r1.text.length, r2.text.length, joined === full, "first", r2.firstTextMs.toFixed(1), "bytes", r2.wireBytes);
  } catch (e) { console.log(s.name, "FAILED", e); }
}
} finally {
await worker.stop(); config.remove(); await rs.stop(); await ds.stop(); await redis.stop(); await upstream.stop();
}
