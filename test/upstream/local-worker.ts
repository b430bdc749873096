// Starts the real Worker out of process: `wrangler dev` on a free loopback port with its own migrated
// local D1. Used by the e2e tests and the benchmark.
import { execFileSync, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { unstable_readConfig as readConfig } from "wrangler";
import { ScriptedUpstream } from "./server.ts";

export interface LocalWorker {
  baseUrl: string;
  /** The wrangler process; workerd is its descendant. */
  pid: number;
  /** Its local state (D1, Durable Objects); a later worker started on it carries on from it. */
  persistTo: string;
  stop: () => Promise<void>;
  /** SIGKILL to wrangler and workerd at once, as a crash would: nothing is flushed or cleaned up. */
  kill: () => Promise<void>;
}

export interface LocalWorkerOptions {
  /** Entry point instead of wrangler.toml's `main` (same bindings). */
  entry?: string;
  /** A wrangler config instead of wrangler.toml (the peers benchmark adds bindings). */
  config?: string;
  vars: Record<string, string>;
  /** Expose the V8 inspector (for CPU profiles) on this port. */
  inspectorPort?: number;
  /** Start on this local state (a killed worker's) instead of a fresh one; the caller removes it. */
  persistTo?: string;
  /** Listen on this port (known in advance, e.g. for a redirect URI) instead of a free one. */
  port?: number;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export async function startLocalWorker(options: LocalWorkerOptions): Promise<LocalWorker> {
  const persist = options.persistTo ?? mkdtempSync(join(tmpdir(), "aas-worker-"));
  const ownsState = options.persistTo === undefined;
  // Local observability (wrangler's trace store, a dev-only tool) keeps every request's spans in
  // workerd's memory and SQLite; it would count in the benchmark's memory figures and production
  // has no such thing.
  // No Request.cf download (there is no network here, and the fallback is what tests want).
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    CI: "true",
    NO_COLOR: "1",
    X_LOCAL_OBSERVABILITY: "false",
    CLOUDFLARE_CF_FETCH_ENABLED: "false",
  };
  // With --env-file wrangler also reads vars from the process environment: the worker gets only what it is given.
  const config = options.config ?? "wrangler.toml";
  for (const key of Object.keys(readConfig({ config }).vars)) delete env[key];
  const configArgs = ["--config", config];
  execFileSync(
    "npx",
    ["wrangler", "d1", "migrations", "apply", "DB", "--local", "--persist-to", persist, ...configArgs],
    {
      env,
      stdio: "pipe",
    },
  );
  const port = options.port ?? (await freePort());
  const args = ["wrangler", "dev", ...(options.entry ? [options.entry] : []), ...configArgs];
  args.push(
    "--ip",
    "127.0.0.1",
    "--port",
    String(port),
    "--persist-to",
    persist,
    "--env-file",
    "/dev/null",
    "--show-interactive-dev-session=false",
  );
  for (const [key, value] of Object.entries(options.vars)) args.push("--var", `${key}:${value}`);
  if (options.inspectorPort) args.push("--inspector-port", String(options.inspectorPort));
  let output = "";
  const worker = spawn("npx", args, { env, detached: true, stdio: ["ignore", "pipe", "pipe"] });
  worker.stdout?.on("data", (chunk: Buffer) => (output += chunk.toString()));
  worker.stderr?.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const baseUrl = `http://127.0.0.1:${port}`;
  // A process killed by a signal has a signalCode and no exitCode.
  const running = () => worker.exitCode === null && worker.signalCode === null;
  const exited = () => new Promise((resolve) => (running() ? worker.once("exit", resolve) : resolve(null)));
  const stop = async () => {
    if (worker.pid && running()) {
      process.kill(-worker.pid, "SIGTERM");
      await exited();
    }
    if (ownsState) rmSync(persist, { recursive: true, force: true });
  };
  const kill = async () => {
    if (worker.pid && running()) {
      process.kill(-worker.pid, "SIGKILL");
      await exited();
    }
  };
  const deadline = Date.now() + 90_000;
  for (;;) {
    if (worker.exitCode !== null) throw new Error(`wrangler dev exited early:\n${output}`);
    try {
      if ((await fetch(`${baseUrl}/health`)).ok) break;
    } catch {
      // Not listening yet.
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`wrangler dev did not become healthy:\n${output}`);
    }
    await sleep(250);
  }
  return { baseUrl, pid: worker.pid ?? 0, persistTo: persist, stop, kill };
}

/** The scripted upstream and the Worker pointed at it, started together and stopped together. */
export async function startStack(
  vars: (upstreamUrl: string) => Record<string, string>,
  options: Omit<LocalWorkerOptions, "vars"> = {},
): Promise<{ upstreamUrl: string; worker: LocalWorker; stop: () => Promise<void> }> {
  const upstream = new ScriptedUpstream();
  const upstreamUrl = await upstream.start();
  try {
    const worker = await startLocalWorker({ ...options, vars: vars(upstreamUrl) });
    return {
      upstreamUrl,
      worker,
      stop: async () => {
        await worker.stop();
        await upstream.stop();
      },
    };
  } catch (error) {
    await upstream.stop();
    throw error;
  }
}
