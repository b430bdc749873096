// What the benchmark needs of the service's API: tokens, tools, scripted models, counters.
import { createHmac, randomUUID } from "node:crypto";
import type { UpstreamAttempt } from "../test/upstream/scripts.ts";

export const JWT_SECRET = "bench-secret-0123456789abcdef0123456789abcdef";

/** The Worker's variables for a benchmark run against the scripted upstream at `upstreamUrl`. */
export const PRICED_MODEL = "bench-priced";

export const benchVars = (upstreamUrl: string) => ({
  OPENAI_BASE_URL: `${upstreamUrl}/v1`,
  OPENAI_API_KEY: "bench",
  JWT_SECRET,
  MAX_CONCURRENT_EXECUTIONS: "5",
  // A priced model, so a budget's tokenizer and meter run on every delta (the budget case).
  MODELS: JSON.stringify([
    { name: PRICED_MODEL, upstreamModel: `${PRICED_MODEL}-upstream`, inputUsdPerMTok: 2.5, outputUsdPerMTok: 10 },
  ]),
});

export function token(userId: string): string {
  const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");
  const now = Math.floor(Date.now() / 1000);
  const unsigned = `${encode({ alg: "HS256", typ: "JWT" })}.${encode({ sub: userId, iat: now, exp: now + 3600 })}`;
  return `${unsigned}.${createHmac("sha256", JWT_SECRET).update(unsigned).digest("base64url")}`;
}

export const newUser = () => `bench-${randomUUID()}`;

export class BenchClient {
  readonly baseUrl: string;
  readonly upstreamUrl: string;

  constructor(baseUrl: string, upstreamUrl: string) {
    this.baseUrl = baseUrl;
    this.upstreamUrl = upstreamUrl;
  }

  headers(user: string): Record<string, string> {
    return { Authorization: `Bearer ${token(user)}`, "Content-Type": "application/json" };
  }

  async json<T>(path: string, user: string, body?: unknown): Promise<T> {
    const response = await fetch(`${this.baseUrl}${path}`, {
      method: body === undefined ? "GET" : "POST",
      headers: this.headers(user),
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (!response.ok) throw new Error(`${path}: ${response.status} ${await response.text()}`);
    return (await response.json()) as T;
  }

  async model(...attempts: UpstreamAttempt[]): Promise<string> {
    return this.script(`bench-${randomUUID()}`, attempts);
  }

  /** Scripts the upstream under `model` (e.g. a catalogue entry's upstream name). */
  async script(model: string, attempts: UpstreamAttempt[]): Promise<string> {
    await fetch(`${this.upstreamUrl}/__scripts`, { method: "POST", body: JSON.stringify({ model, attempts }) });
    return model;
  }

  /** A tool whose prompts run in sequence (positions 0, 1, …) on `model`. */
  async tool(user: string, model: string, prompts = 1, budgetMicros?: number): Promise<string> {
    const tool = await this.json<{ id: string }>("/api/tools", user, {
      name: "Bench",
      ...(budgetMicros ? { budget: { maxCostMicros: budgetMicros } } : {}),
      inputFields: [{ name: "topic", label: "Topic", type: "text", required: true }],
      prompts: Array.from({ length: prompts }, (_, i) => ({ name: `p${i}`, position: i, model, content: "{{topic}}" })),
    });
    return tool.id;
  }
}
