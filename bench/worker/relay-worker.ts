// The bare relay as a Worker of its own (bench only), for the cold-start comparison: POST relays the
// scripted upstream through the openai SDK to SSE (bench/worker/relay.ts); GET answers "ok".
import { relay } from "./relay";

export default {
  async fetch(request: Request, env: Env, ctx: ExecutionContext) {
    if (request.method !== "POST") return new Response("ok");
    const { model, prompt } = await request.json<{ model: string; prompt: string }>();
    return relay(env, model, prompt, (work) => ctx.waitUntil(work));
  },
} satisfies ExportedHandler<Env>;
