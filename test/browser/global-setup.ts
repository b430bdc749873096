// Starts the Worker (wrangler dev builds the page first) with dev tokens on, and the scripted upstream.
import type { TestProject } from "vitest/node";
import { startLocalWorker } from "../upstream/local-worker";
import { ScriptedUpstream } from "../upstream/server";

declare module "vitest" {
  export interface ProvidedContext {
    pageUrl: string;
    pageUpstreamUrl: string;
  }
}

export default async function setup(project: TestProject) {
  const upstream = new ScriptedUpstream();
  const upstreamUrl = await upstream.start();
  let worker;
  try {
    worker = await startLocalWorker({
      vars: { OPENAI_BASE_URL: `${upstreamUrl}/v1`, OPENAI_API_KEY: "browser", JWT_SECRET: "browser-secret-0123456789abcdef0123456789", DEV_TOKENS: "true" },
    });
  } catch (error) {
    await upstream.stop();
    throw error;
  }
  project.provide("pageUrl", worker.baseUrl);
  project.provide("pageUpstreamUrl", upstreamUrl);
  return async () => {
    await worker.stop();
    await upstream.stop();
  };
}
