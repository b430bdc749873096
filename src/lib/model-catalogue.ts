// The model catalogue (MODELS): which model names a deployment offers, where each is served
// (any OpenAI-compatible endpoint, with its own key) and what it costs. Parsed once with the config;
// a bad entry is an error that names it.
import { z } from "zod";
import { AppError, type FieldIssue } from "./errors";

/** The built-in offline model: streams its prompt back, costs nothing. */
export const DEMO_MODEL = "demo";

export interface CatalogueEntry {
  name: string;
  /** The model name sent to the endpoint. */
  upstreamModel: string;
  /** Empty for the built-in demo model. */
  baseUrl: string;
  /** The key itself, read from the secret `apiKeyVar` names (never answered by the API). */
  apiKey: string;
  inputUsdPerMTok: number;
  outputUsdPerMTok: number;
  contextTokens: number | null;
  /** The request parameter that bounds the model's output (never both: reasoning models refuse `max_tokens`). */
  outputLimitParam: OutputLimitParam;
  /** The model bills tokens it never streams (reasoning): its reservations run larger than its answers. */
  reasoning: boolean;
}

export const OUTPUT_LIMIT_PARAMS = ["max_completion_tokens", "max_tokens"] as const;
export type OutputLimitParam = (typeof OUTPUT_LIMIT_PARAMS)[number];
/** What a model outside the catalogue is sent (OpenAI's current name). */
export const DEFAULT_OUTPUT_LIMIT_PARAM: OutputLimitParam = "max_completion_tokens";

export interface ModelCatalogue {
  entries: ReadonlyMap<string, CatalogueEntry>;
  /** A name not in the catalogue still goes to OPENAI_BASE_URL, unpriced (ALLOW_UNLISTED_MODELS). */
  allowUnlisted: boolean;
}

/** MODELS (or another setting) is not valid: the message names the entry and the field. */
export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ConfigError";
  }
}

const price = z.number().finite().min(0);
const entrySchema = z.strictObject({
  name: z.string().trim().min(1).max(200),
  upstreamModel: z.string().trim().min(1).max(200).optional(),
  baseUrl: z.url({ protocol: /^https?$/ }).optional(),
  apiKeyVar: z
    .string()
    .regex(/^[A-Z_][A-Z0-9_]*$/, "must be the name of a secret, like OPENAI_API_KEY")
    .optional(),
  inputUsdPerMTok: price,
  outputUsdPerMTok: price,
  contextTokens: z.int().positive().optional(),
  outputLimitParam: z.enum(OUTPUT_LIMIT_PARAMS).optional(),
  reasoning: z.boolean().optional(),
});

export interface CatalogueSources {
  /** MODELS as set (JSON), or undefined/empty for none. */
  raw: string | undefined;
  allowUnlisted: boolean;
  defaultBaseUrl: string;
  /** Reads a secret or var by name. */
  secret: (name: string) => string | undefined;
}

const label = (index: number, value: unknown) => {
  const name = typeof value === "object" && value !== null && "name" in value ? ` ("${String(value.name)}")` : "";
  return `MODELS entry ${index + 1}${name}`;
};

/** The catalogue, with `demo` at price 0; throws ConfigError naming the first bad entry. */
export function parseCatalogue(sources: CatalogueSources): ModelCatalogue {
  const entries = new Map<string, CatalogueEntry>([
    [
      DEMO_MODEL,
      {
        name: DEMO_MODEL,
        upstreamModel: DEMO_MODEL,
        baseUrl: "",
        apiKey: "",
        inputUsdPerMTok: 0,
        outputUsdPerMTok: 0,
        contextTokens: null,
        outputLimitParam: DEFAULT_OUTPUT_LIMIT_PARAM,
        reasoning: false,
      },
    ],
  ]);
  const raw = sources.raw?.trim();
  if (!raw) return { entries, allowUnlisted: sources.allowUnlisted };
  let list: unknown;
  try {
    list = JSON.parse(raw);
  } catch {
    throw new ConfigError("MODELS is not valid JSON: it must be a JSON array of model entries");
  }
  if (!Array.isArray(list)) throw new ConfigError("MODELS must be a JSON array of model entries");
  list.forEach((value: unknown, index) => {
    const parsed = entrySchema.safeParse(value);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new ConfigError(
        `${label(index, value)}: ${issue?.path.join(".") || "entry"}: ${issue?.message ?? "invalid"}`,
      );
    }
    const entry = parsed.data;
    if (entries.has(entry.name)) {
      throw new ConfigError(
        `${label(index, value)}: the name "${entry.name}" is ${entry.name === DEMO_MODEL ? "built in" : "listed twice"}`,
      );
    }
    const keyVar = entry.apiKeyVar ?? "OPENAI_API_KEY";
    const apiKey = sources.secret(keyVar);
    if (entry.apiKeyVar && apiKey === undefined) {
      throw new ConfigError(
        `${label(index, value)}: apiKeyVar names ${keyVar}, which is not set (wrangler secret put ${keyVar})`,
      );
    }
    entries.set(entry.name, {
      name: entry.name,
      upstreamModel: entry.upstreamModel ?? entry.name,
      baseUrl: entry.baseUrl ?? sources.defaultBaseUrl,
      apiKey: apiKey ?? "",
      inputUsdPerMTok: entry.inputUsdPerMTok,
      outputUsdPerMTok: entry.outputUsdPerMTok,
      contextTokens: entry.contextTokens ?? null,
      outputLimitParam: entry.outputLimitParam ?? DEFAULT_OUTPUT_LIMIT_PARAM,
      reasoning: entry.reasoning ?? false,
    });
  });
  return { entries, allowUnlisted: sources.allowUnlisted };
}

/** A model's prices: USD per million tokens, which is exactly micro-dollars per token. */
export type Price = Pick<CatalogueEntry, "inputUsdPerMTok" | "outputUsdPerMTok">;

/** Whether a model costs anything: only then are its tokens counted as they stream. */
export const isPaid = (price: Price | null): price is Price =>
  price !== null && (price.inputUsdPerMTok > 0 || price.outputUsdPerMTok > 0);

/** What `usage` costs at `price`, in (fractional) micro-dollars. */
export const exactCostMicros = (price: Price, usage: { inputTokens: number; outputTokens: number }): number =>
  usage.inputTokens * price.inputUsdPerMTok + usage.outputTokens * price.outputUsdPerMTok;

/** Micro-dollars rounded up to a whole one, after settling binary-float noise (0.15 × 1000 = 150.00000000000003). */
export const wholeMicros = (exact: number): number => Math.ceil(Math.round(exact * 1e6) / 1e6);

/** What `usage` costs on `entry`, in whole micro-dollars (rounded up). */
export const costMicros = (price: Price, usage: { inputTokens: number; outputTokens: number }): number =>
  wholeMicros(exactCostMicros(price, usage));

/** A 400 naming each prompt whose model is not in the catalogue (`explain` says why that matters). */
function refuseUnlisted(
  catalogue: ModelCatalogue,
  prompts: readonly { name: string; model: string }[],
  pathOf: (index: number) => string,
  { title, explain }: { title: string; explain: string },
): void {
  const issues: FieldIssue[] = prompts.flatMap((prompt, index) =>
    catalogue.entries.has(prompt.model)
      ? []
      : [
          {
            path: `${pathOf(index)}.model`,
            message: `prompt "${prompt.name}" uses the model "${prompt.model}", ${explain}`,
          },
        ],
  );
  if (issues.length > 0) {
    throw new AppError("validation_failed", `${title}: ${issues.map((issue) => issue.message).join("; ")}`, {
      details: { fields: issues },
    });
  }
}

/** Every prompt's model must have a price when its spending is limited (`by` names the limit). */
export function assertModelsPriced(
  catalogue: ModelCatalogue,
  prompts: readonly { name: string; model: string }[],
  pathOf: (index: number) => string,
  by: string,
): void {
  refuseUnlisted(catalogue, prompts, pathOf, {
    title: "Unpriced models",
    explain: `which has no price in the catalogue, so ${by} cannot be enforced`,
  });
}

/**
 * With ALLOW_UNLISTED_MODELS=false, every prompt's model must be in the catalogue: a 400 naming each
 * prompt and model that is not. `pathOf` says where each prompt stands in the request.
 */
export function assertModelsListed(
  catalogue: ModelCatalogue,
  prompts: readonly { name: string; model: string }[],
  pathOf: (index: number) => string,
): void {
  if (catalogue.allowUnlisted) return;
  refuseUnlisted(catalogue, prompts, pathOf, { title: "Unknown models", explain: "which is not in the catalogue" });
}
