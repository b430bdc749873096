// Starts the peers that run outside workerd, each in its own process on a free loopback port: Redis
// (the Debian package, no persistence, as resumable-stream needs only pub/sub and keys), the
// resumable-stream server, and the Durable Streams server with its producer.
import { type ChildProcess, spawn } from "node:child_process";
import { accessSync, constants, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import { createClient } from "redis";
import { freePort } from "../../test/upstream/local-worker.ts";

export interface Peer {
  url: string;
  stop: () => Promise<void>;
}

async function waitForLine(child: ChildProcess, line: string, what: string): Promise<void> {
  let output = "";
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${what} did not start:\n${output}`)), 30_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes(line)) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout?.on("data", onData);
    child.stderr?.on("data", onData);
    child.once("exit", (code) => reject(new Error(`${what} exited (${code}):\n${output}`)));
    // A command that cannot be spawned (ENOENT) is an error here, not an unhandled event that ends the run.
    child.once("error", (error) => reject(new Error(`${what} could not start: ${error.message}`)));
  });
}

const stopper = (child: ChildProcess, after?: () => void) => async () => {
  if (child.exitCode === null && child.signalCode === null) {
    const exited = new Promise((resolve) => child.once("exit", resolve));
    child.kill("SIGTERM");
    await exited;
  }
  after?.();
};

/** The path of `command` on PATH, if it is there. */
export function onPath(command: string, path = process.env.PATH ?? ""): string | undefined {
  for (const dir of path.split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, command);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // Not in this directory.
    }
  }
  return undefined;
}

/** What the peers run needs on the machine; throws saying what to install. */
export function checkPeersPrerequisites(path?: string): void {
  if (!onPath("redis-server", path))
    throw new Error("redis-server not found: apt-get install redis-server (or run without --peers)");
}

/** Redis on a free port; `commands()` is the server's count of commands processed so far. */
export async function startRedis(): Promise<Peer & { commands: () => Promise<number> }> {
  checkPeersPrerequisites();
  const port = await freePort();
  const child = spawn(
    "redis-server",
    ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
    {
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  await waitForLine(child, "Ready to accept connections", "redis-server");
  const url = `redis://127.0.0.1:${port}`;
  const admin = createClient({ url });
  await admin.connect();
  const stop = stopper(child);
  let infos = 0;
  return {
    url,
    // Each INFO is a command itself, counted by the readings after it: those are taken off.
    commands: async () => {
      const total = Number(/total_commands_processed:(\d+)/.exec(await admin.info("stats"))?.[1] ?? 0);
      return total - infos++;
    },
    stop: async () => {
      await admin.quit().catch(() => {});
      await stop();
    },
  };
}

/** A Node script of bench/peers as a server on a free port, given its environment. */
async function startScript(script: string, env: Record<string, string>, after?: () => void): Promise<Peer> {
  const port = await freePort();
  const child = spawn(process.execPath, [script], {
    env: { ...process.env, ...env, PORT: String(port) },
    stdio: ["ignore", "pipe", "pipe"],
  });
  await waitForLine(child, "ready", script);
  return { url: `http://127.0.0.1:${port}`, stop: stopper(child, after) };
}

export const startResumableServer = (redisUrl: string, upstreamUrl: string) =>
  startScript("bench/peers/resumable-server.ts", { REDIS_URL: redisUrl, UPSTREAM_URL: upstreamUrl });

export async function startDurableStreamsServer(upstreamUrl: string): Promise<Peer> {
  const dataDir = mkdtempSync(join(tmpdir(), "aas-durable-streams-"));
  return startScript(
    "bench/peers/durable-streams-server.ts",
    { STREAMS_PORT: String(await freePort()), DATA_DIR: dataDir, UPSTREAM_URL: upstreamUrl },
    () => rmSync(dataDir, { recursive: true, force: true }),
  );
}
