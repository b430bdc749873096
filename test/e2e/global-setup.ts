// Starts the real Worker out of process (wrangler dev, its own migrated local D1) and the scripted
// upstream on loopback, for tests that drive it with third-party SSE clients.
import type { TestProject } from "vitest/node";
import { startStack } from "../upstream/local-worker";

declare module "vitest" {
  export interface ProvidedContext {
    baseUrl: string;
    upstreamUrl: string;
    jwtSecret: string;
  }
}

/** The server closes live SSE connections this often, so clients must reconnect during a run. */
const E2E_STREAM_MAX_CONNECTION_MS = 700;
const JWT_SECRET = "e2e-secret-0123456789abcdef0123456789abcdef";

export default async function setup(project: TestProject) {
  const stack = await startStack((upstreamUrl) => ({
    OPENAI_BASE_URL: `${upstreamUrl}/v1`,
    OPENAI_API_KEY: "e2e-key",
    JWT_SECRET,
    STREAM_MAX_CONNECTION_MS: String(E2E_STREAM_MAX_CONNECTION_MS),
    CORS_ORIGINS: "*",
  }));
  project.provide("baseUrl", stack.worker.baseUrl);
  project.provide("upstreamUrl", stack.upstreamUrl);
  project.provide("jwtSecret", JWT_SECRET);
  return stack.stop;
}
