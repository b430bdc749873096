// Picks the client for a model name from the catalogue: `demo` is built in and offline; a catalogue
// entry goes to its own endpoint with its own key and upstream name; an unlisted name goes to
// OPENAI_BASE_URL when ALLOW_UNLISTED_MODELS allows it.
import type { Config } from "../lib/config";
import {
  type CatalogueEntry,
  DEFAULT_OUTPUT_LIMIT_PARAM,
  DEMO_MODEL,
  type OutputLimitParam,
} from "../lib/model-catalogue";
import { createDemoModel } from "./demo-model";
import { createOpenAIModel } from "./openai-model";
import { type ModelClient, ModelError } from "./types";

export type ModelResolver = (model: string) => ModelClient;

const demo = createDemoModel();
// One `openai` client per isolate, endpoint and key, shared by every run (and object) it serves.
const openaiClients = new Map<string, ModelClient>();

function openaiFor(
  baseURL: string,
  apiKey: string,
  timeoutMs: number,
  outputLimitParam: OutputLimitParam,
): ModelClient {
  const key = `${baseURL}\n${apiKey}\n${timeoutMs}\n${outputLimitParam}`;
  let client = openaiClients.get(key);
  if (!client) {
    client = createOpenAIModel({ apiKey, baseURL, timeoutMs, outputLimitParam });
    openaiClients.set(key, client);
  }
  return client;
}

/** A client that sends the entry's upstream name instead of the catalogue name. */
function asUpstream(client: ModelClient, upstreamModel: string): ModelClient {
  return { stream: (request, signal) => client.stream({ ...request, model: upstreamModel }, signal) };
}

const refuse = (model: string): ModelClient => ({
  // biome-ignore lint/correctness/useYield: refuses before any chunk
  async *stream() {
    throw new ModelError("model_error", `The model "${model}" is not in this service's catalogue`);
  },
});

/** The catalogue entry for a name, if it has one. */
export const catalogueEntry = (config: Config, model: string): CatalogueEntry | undefined =>
  config.models.entries.get(model);

/** A resolver by model name; clients are built once per isolate, endpoint and key. */
export function createModelResolver(config: Config): ModelResolver {
  return (model) => {
    if (model === DEMO_MODEL) return demo;
    const entry = catalogueEntry(config, model);
    if (entry)
      return asUpstream(
        openaiFor(entry.baseUrl, entry.apiKey, config.promptIdleTimeoutMs, entry.outputLimitParam),
        entry.upstreamModel,
      );
    if (!config.models.allowUnlisted) return refuse(model);
    return openaiFor(config.openaiBaseUrl, config.openaiApiKey, config.promptIdleTimeoutMs, DEFAULT_OUTPUT_LIMIT_PARAM);
  };
}
