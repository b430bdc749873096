// Starts the Worker (wrangler dev builds the page first) with dev tokens on, and the scripted upstream.
import type { TestProject } from "vitest/node";
import { startStack } from "../upstream/local-worker";

declare module "vitest" {
  export interface ProvidedContext {
    pageUrl: string;
    pageUpstreamUrl: string;
  }
}

export default async function setup(project: TestProject) {
  const stack = await startStack((upstreamUrl) => ({
    OPENAI_BASE_URL: `${upstreamUrl}/v1`,
    OPENAI_API_KEY: "browser",
    JWT_SECRET: "browser-secret-0123456789abcdef0123456789",
    DEV_TOKENS: "true",
    // One priced model, sent upstream as `priced-page-upstream` (page-answers scripts it): cost and budgets on the page.
    MODELS: JSON.stringify([
      { name: "priced-page", upstreamModel: "priced-page-upstream", inputUsdPerMTok: 2.5, outputUsdPerMTok: 10 },
    ]),
  }));
  project.provide("pageUrl", stack.worker.baseUrl);
  project.provide("pageUpstreamUrl", stack.upstreamUrl);
  return stack.stop;
}
