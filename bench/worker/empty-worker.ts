// The smallest Worker (bench only), the floor of the cold-start comparison: workerd starting at all,
// and, bound as ours is (D1, the object's class, the rate limiter), starting with ours' bindings.
import { DurableObject } from "cloudflare:workers";

export class ExecutionSession extends DurableObject {}

export default {
  fetch: () => new Response("ok"),
} satisfies ExportedHandler;
