// `npm run bench -- --peers`: ours and the systems a user would pick instead, on the same scripted
// upstream, payloads and client, in one run; prints one table and (full runs) writes it to
// docs/performance.md. `--quick` runs small cases (CI runs it so the harness cannot rot).

import { ScriptedUpstream } from "../../test/upstream/server.ts";
import { startBenchWorker } from "../bench-worker-process.ts";
import { BenchClient, benchVars } from "../client.ts";
import { writeBetweenMarkers } from "../doc-table.ts";
import { cleanupOnExit } from "../reaper.ts";
import { fmt } from "../stats.ts";
import { packageVersion as version } from "../versions.ts";
import { agentsChat } from "./agent-client.ts";
import { burst, fanOut, firstDelta, type PeerCtx, resume, throughput, tokenLatency, writesPer1000 } from "./cases.ts";
import {
  checkPeersPrerequisites,
  type Peer,
  startDurableStreamsServer,
  startRedis,
  startResumableServer,
} from "./processes.ts";
import { durableStreams, ours, relay, resumableStream, type System } from "./systems.ts";
import { writePeersConfig } from "./worker-config.ts";

interface Row {
  system: System;
  firstMs: number;
  rate: number;
  latency: { p50: number; p99: number };
  resume: Awaited<ReturnType<typeof resume>>;
  fanOut: Awaited<ReturnType<typeof fanOut>>;
  writes: number;
  burst: Awaited<ReturnType<typeof burst>>;
}

function table(rows: Row[], chunks: number, quick: boolean): string {
  const base = rows.find((row) => row.system.name === "bare relay");
  const added = (ms: number) => (base ? ` (${ms >= base.firstMs ? "+" : ""}${fmt(ms - base.firstMs)})` : "");
  const ratio = (rate: number) => (base ? ` (${fmt(rate / base.rate, 2)})` : "");
  const lines = [
    `| system | first delta, median (vs relay) | throughput, ${chunks} chunks (vs relay) | per-token p50 / p99 | resume: to first missed event; bytes ÷ missed; intact | fan-out, ${rows.find((row) => row.fanOut)?.fanOut?.readers ?? 0} readers: lag p99; readers with the whole text, once | storage writes per 1,000 tokens | burst of ${rows[0]?.burst.count ?? 0}: first delta p50 / p95; errors |`,
    "| --- | --- | --- | --- | --- | --- | --- | --- |",
  ];
  for (const row of rows) {
    const resumeCell = row.resume
      ? `${fmt(row.resume.firstMs)} ms; ${fmt(row.resume.bytesRatio, 2)}; ${row.resume.intact ? "yes" : "**no**"}`
      : "n/a (no second reader)";
    const fanCell = row.fanOut
      ? `${fmt(row.fanOut.p99)} ms; ${row.fanOut.intactReaders === row.fanOut.readers ? "all" : `**${row.fanOut.intactReaders} of ${row.fanOut.readers}**`}`
      : "n/a";
    lines.push(
      `| ${row.system.name} | ${fmt(row.firstMs)} ms${added(row.firstMs)} | ${fmt(row.rate, 0)}/s${ratio(row.rate)} | ${fmt(row.latency.p50)} / ${fmt(row.latency.p99)} ms | ${resumeCell} | ${fanCell} | ${row.system.writes ? fmt(row.writes, 0) : "0 (stores nothing)"} | ${fmt(row.burst.p50, 0)} / ${fmt(row.burst.p95, 0)} ms; ${row.burst.errors} |`,
    );
  }
  return [
    `Versions: agents ${version("agents")}, @cloudflare/ai-chat ${version("@cloudflare/ai-chat")}, ai ${version("ai")}, @ai-sdk/openai-compatible ${version("@ai-sdk/openai-compatible")}; resumable-stream ${version("resumable-stream")}, redis (client) ${version("redis")}; @durable-streams/server ${version("@durable-streams/server")}, @durable-streams/client ${version("@durable-streams/client")}; openai ${version("openai")}, workerd ${version("workerd")}, Node ${process.version}.${quick ? " Quick run." : ""}`,
    "",
    ...lines,
  ].join("\n");
}

export async function runPeers(quick: boolean): Promise<void> {
  // Before anything starts: say what to install rather than fail half-way.
  checkPeersPrerequisites();
  const upstream = new ScriptedUpstream();
  const upstreamUrl = await upstream.start();
  const config = writePeersConfig();
  cleanupOnExit(config.remove);
  const stops: (() => Promise<void>)[] = [async () => upstream.stop(), async () => config.remove()];
  try {
    const worker = await startBenchWorker({
      entry: "bench/worker/peers-worker.ts",
      config: config.path,
      vars: benchVars(upstreamUrl),
    });
    stops.unshift(worker.stop);
    const started = async <T extends Peer>(peer: Promise<T>) => {
      const running = await peer;
      stops.unshift(running.stop);
      return running;
    };
    const redis = await started(startRedis());
    const resumable = await started(startResumableServer(redis.url, upstreamUrl));
    const streams = await started(startDurableStreamsServer(upstreamUrl));
    const client = new BenchClient(worker.baseUrl, upstreamUrl);
    const ctx: PeerCtx = { client, quick, wrongRuns: new Map() };
    const systems = [
      ours(client),
      relay(worker.baseUrl, "bare relay", "/bench/baseline"),
      relay(worker.baseUrl, "trivial Durable Object", "/bench/trivial"),
      agentsChat(worker.baseUrl),
      resumableStream(resumable.url, redis.commands),
      durableStreams(streams.url),
    ];
    // `--only agents,durable` runs just the systems whose names contain one of those words.
    const onlyFlag = process.argv.indexOf("--only");
    const only = onlyFlag < 0 ? [] : (process.argv[onlyFlag + 1] ?? "").toLowerCase().split(",");
    const chosen = systems.filter(
      (system) => only.length === 0 || only.some((word) => system.name.toLowerCase().includes(word)),
    );
    const rows: Row[] = [];
    let chunks = 0;
    for (const system of chosen) {
      console.log(`${system.name}…`);
      const step = <T>(name: string, work: Promise<T>) => {
        console.log(`  ${name}`);
        return work;
      };
      const rate = await step("throughput", throughput(ctx, system));
      chunks = rate.chunks;
      rows.push({
        system,
        firstMs: await step("firstDelta", firstDelta(ctx, system)),
        rate: rate.rate,
        latency: await step("tokenLatency", tokenLatency(ctx, system)),
        resume: await step("resume", resume(ctx, system)),
        fanOut: await step("fanOut", fanOut(ctx, system)),
        writes: await step("writesPer1000", writesPer1000(ctx, system)),
        burst: await step("burst", burst(ctx, system)),
      });
    }
    const wrong = [...ctx.wrongRuns].map(([what, runs]) => `${what} (${runs})`);
    const result = `${table(rows, chunks, quick)}\n\nRuns that did not end with the whole text, beside resume, fan-out and burst: ${wrong.length ? wrong.join("; ") : "none"}.`;
    console.log(`\n${result}`);
    // Ours must never lose or double text; a peer that does is reported in the table, not hidden.
    const mine = rows.find((row) => row.system.name === "ours");
    if (mine?.resume?.intact === false || (mine?.fanOut && mine.fanOut.intactReaders !== mine.fanOut.readers))
      throw new Error("ours lost or doubled text");
    if (!quick && only.length === 0) {
      writeBetweenMarkers("docs/performance.md", "peers", result);
      console.log("\nWrote docs/performance.md");
    }
  } finally {
    for (const stop of stops) await stop().catch(() => {});
  }
}
