// Starts the real Worker out of process (wrangler dev, its own migrated local D1) and the scripted
// upstream on loopback, for tests that drive it with third-party SSE clients.
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TestProject } from "vitest/node";
import { ScriptedUpstream } from "../upstream/server";

declare module "vitest" {
  export interface ProvidedContext {
    baseUrl: string;
    upstreamUrl: string;
    jwtSecret: string;
  }
}

/** The server closes live SSE connections this often, so clients must reconnect during a run. */
export const E2E_STREAM_MAX_CONNECTION_MS = 700;
const JWT_SECRET = "e2e-secret-0123456789abcdef0123456789abcdef";

async function freePort(): Promise<number> {
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

async function waitForHealth(url: string, worker: ChildProcess, output: () => string): Promise<void> {
  const deadline = Date.now() + 90_000;
  while (Date.now() < deadline) {
    if (worker.exitCode !== null) throw new Error(`wrangler dev exited early:\n${output()}`);
    try {
      if ((await fetch(`${url}/health`)).ok) return;
    } catch {
      // Not listening yet.
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`wrangler dev did not become healthy:\n${output()}`);
}

export default async function setup(project: TestProject) {
  const upstream = new ScriptedUpstream();
  const upstreamUrl = await upstream.start();
  const persist = mkdtempSync(join(tmpdir(), "aas-e2e-"));
  const env = { ...process.env, CI: "true", NO_COLOR: "1" };
  execFileSync("npx", ["wrangler", "d1", "migrations", "apply", "DB", "--local", "--persist-to", persist], { env, stdio: "pipe" });
  const port = await freePort();
  const vars = {
    OPENAI_BASE_URL: `${upstreamUrl}/v1`,
    OPENAI_API_KEY: "e2e-key",
    JWT_SECRET,
    STREAM_MAX_CONNECTION_MS: String(E2E_STREAM_MAX_CONNECTION_MS),
    CORS_ORIGINS: "*",
  };
  const args = ["wrangler", "dev", "--ip", "127.0.0.1", "--port", String(port), "--persist-to", persist, "--env-file", "/dev/null", "--show-interactive-dev-session=false"];
  for (const [key, value] of Object.entries(vars)) args.push("--var", `${key}:${value}`);
  let output = "";
  const worker = spawn("npx", args, { env, detached: true, stdio: ["ignore", "pipe", "pipe"] });
  worker.stdout?.on("data", (chunk: Buffer) => (output += chunk.toString()));
  worker.stderr?.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const baseUrl = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (worker.pid && worker.exitCode === null) process.kill(-worker.pid, "SIGTERM");
    await upstream.stop();
    rmSync(persist, { recursive: true, force: true });
  };
  try {
    await waitForHealth(baseUrl, worker, () => output);
  } catch (error) {
    await stop();
    throw error;
  }
  project.provide("baseUrl", baseUrl);
  project.provide("upstreamUrl", upstreamUrl);
  project.provide("jwtSecret", JWT_SECRET);
  return stop;
}
