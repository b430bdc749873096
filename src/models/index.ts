// Picks the client for a model name: `demo` is built in and offline; everything else goes to OPENAI_BASE_URL.
import type { Config } from "../lib/config";
import { createDemoModel, DEMO_MODEL } from "./demo-model";
import { createOpenAIModel } from "./openai-model";
import type { ModelClient } from "./types";

export type ModelResolver = (model: string) => ModelClient;

/** Builds the clients once (per run) and returns a resolver by model name. */
export function createModelResolver(config: Config): ModelResolver {
  const demo = createDemoModel();
  let openai: ModelClient | undefined;
  return (model) => {
    if (model === DEMO_MODEL) return demo;
    openai ??= createOpenAIModel({ apiKey: config.openaiApiKey, baseURL: config.openaiBaseUrl, timeoutMs: config.promptIdleTimeoutMs });
    return openai;
  };
}
