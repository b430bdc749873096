// The peers benchmark's entry (never deployed): the bench entry (ours, counted, and the bare relay) and,
// in the same workerd, the Agents peer and the trivial object. Started with a config that adds their
// bindings and `nodejs_compat`, which `agents` needs (bench/peers/worker-config.ts).
import { routeAgentRequest } from "agents";
import benchWorker from "./bench-worker";
import type { BenchChatAgent, TrivialStream } from "./peers";

export { ExecutionSession, UserAccount } from "./bench-worker";
export { BenchChatAgent, TrivialStream } from "./peers";

type PeersEnv = Env & {
  BenchChatAgent: DurableObjectNamespace<BenchChatAgent>;
  TRIVIAL_STREAM: DurableObjectNamespace<TrivialStream>;
};

export default {
  async fetch(request: Request, env: PeersEnv, ctx: ExecutionContext) {
    const url = new URL(request.url);
    if (url.pathname.startsWith("/agents/"))
      return (await routeAgentRequest(request, env)) ?? new Response("no such agent", { status: 404 });
    if (url.pathname === "/bench/trivial") {
      // A new object for every request, as ours creates one per execution.
      return env.TRIVIAL_STREAM.get(env.TRIVIAL_STREAM.newUniqueId()).fetch(request);
    }
    if (url.pathname === "/bench/agent-writes") {
      const name = url.searchParams.get("name") ?? "";
      return Response.json(await env.BenchChatAgent.get(env.BenchChatAgent.idFromName(name)).benchWrites());
    }
    return benchWorker.fetch(request, env, ctx);
  },
} satisfies ExportedHandler<PeersEnv>;
