// The peers that run in the same workerd as ours (bench only): Cloudflare Agents' `AIChatAgent` with
// its resumable streaming, as its README sets it up, relaying the scripted upstream through the AI SDK's
// OpenAI-compatible provider; and a trivial Durable Object that only relays, the platform's floor for
// "a new object per request".

import { DurableObject } from "cloudflare:workers";
import { createOpenAICompatible } from "@ai-sdk/openai-compatible";
import { AIChatAgent } from "@cloudflare/ai-chat";
import { convertToModelMessages, streamText } from "ai";
import { isWrite } from "./latency";
import { relay } from "./relay";

/** Counts the agent's SQL writes (its own storage: messages, stream chunks, fibers). */
export interface SqlWrites {
  statements: number;
}

export class BenchChatAgent extends AIChatAgent {
  private readonly sqlWrites: SqlWrites;

  constructor(ctx: DurableObjectState, env: Cloudflare.Env) {
    // Counted before the agent's own setup writes anything: every statement goes through `exec`.
    const sql = ctx.storage.sql;
    const exec = sql.exec.bind(sql);
    const writes: SqlWrites = { statements: 0 };
    sql.exec = ((query: string, ...bindings: unknown[]) => {
      if (isWrite(query)) writes.statements++;
      return exec(query, ...bindings);
    }) as typeof sql.exec;
    super(ctx, env);
    this.sqlWrites = writes;
  }

  override async onChatMessage(_onFinish: unknown, options?: { body?: Record<string, unknown> }) {
    const provider = createOpenAICompatible({
      name: "bench",
      baseURL: this.env.OPENAI_BASE_URL,
      apiKey: this.env.OPENAI_API_KEY || "bench",
      includeUsage: true,
    });
    const result = streamText({
      model: provider(String(options?.body?.model ?? "bench")),
      messages: await convertToModelMessages(this.messages),
    });
    return result.toUIMessageStreamResponse();
  }

  benchWrites(): SqlWrites {
    return { ...this.sqlWrites };
  }
}

export class TrivialStream extends DurableObject<Env> {
  override async fetch(request: Request): Promise<Response> {
    const { model, prompt } = await request.json<{ model: string; prompt: string }>();
    return relay(this.env, model, prompt, (work) => this.ctx.waitUntil(work));
  }
}
