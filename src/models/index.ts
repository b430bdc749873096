// Picks the client for a model name: `demo` is built in and offline; everything else goes to OPENAI_BASE_URL.
import type { Config } from "../lib/config";
import { createDemoModel, DEMO_MODEL } from "./demo-model";
import { createOpenAIModel } from "./openai-model";
import type { ModelClient } from "./types";

export type ModelResolver = (model: string) => ModelClient;

const demo = createDemoModel();
// One `openai` client per isolate and configuration, shared by every run (and object) it serves.
const openaiClients = new Map<string, ModelClient>();

function openaiFor(config: Config): ModelClient {
  const key = `${config.openaiBaseUrl}\n${config.openaiApiKey}\n${config.promptIdleTimeoutMs}`;
  let client = openaiClients.get(key);
  if (!client) {
    client = createOpenAIModel({
      apiKey: config.openaiApiKey,
      baseURL: config.openaiBaseUrl,
      timeoutMs: config.promptIdleTimeoutMs,
    });
    openaiClients.set(key, client);
  }
  return client;
}

/** A resolver by model name; clients are built once per isolate and configuration. */
export function createModelResolver(config: Config): ModelResolver {
  return (model) => (model === DEMO_MODEL ? demo : openaiFor(config));
}
