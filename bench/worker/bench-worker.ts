// Benchmark entry (never deployed): the real Worker and Durable Object with their bindings wrapped
// (bench/worker/latency.ts: D1 and stubs with injected latency, R2 counted, all per tag), plus the baseline:
// the thinnest relay of the same upstream through the openai SDK to SSE, in the same workerd.
// A request's `X-Bench-Context` header ({rttMs, doMs, tag}) sets its latency and tag; without it nothing
// is delayed or counted.
import { Hono } from "hono";
import realWorker, { ExecutionSession as RealExecutionSession, UserAccount as RealUserAccount } from "../../src/index";
import { tokenCounter } from "../../src/lib/tokens";
import {
  addTally,
  BENCH_HEADER,
  type MeasuredBindings,
  type Meter,
  newTally,
  parseContext,
  type Tally,
  wrapEnv,
} from "./latency";
import { type MeasuredHooks, measured } from "./measured";
import { recordsBench } from "./records-bench";
import { relay } from "./relay";

/** The bindings wrapped in the Worker and in every measured object. A new object class: add its binding here. */
export const BENCH_BINDINGS: MeasuredBindings = {
  d1: ["DB"],
  objects: ["EXECUTION_SESSION", "USER_ACCOUNT"],
  r2: ["OUTPUTS"],
};

/** Every Durable Object class of the Worker, measured (its env and storage wrapped). */
export const ExecutionSession = measured(RealExecutionSession, BENCH_BINDINGS);
export const UserAccount = measured(RealUserAccount, BENCH_BINDINGS);

/** The Worker's own tallies, by tag (the objects keep theirs). */
const workerTallies = new Map<string, Tally>();

/**
 * Everything `tag` cost: the Worker's tally and those of every object reached from it (objects calling
 * objects included), or only of the objects of `bindings` when given (each object read is a subrequest:
 * a tag that reached thousands of objects would exceed their limit).
 */
async function countersOf(env: Env, tag: string, bindings?: readonly string[]): Promise<Tally> {
  const total = newTally();
  const start = workerTallies.get(tag);
  if (start) addTally(total, start);
  const queue = [...(start?.objects ?? [])];
  for (let key = queue.shift(); key !== undefined; key = queue.shift()) {
    if (total.objects.includes(key)) continue;
    total.objects.push(key);
    const [binding = "", id = ""] = key.split(":");
    if (bindings && !bindings.includes(binding)) continue;
    // The raw binding: reading counters is neither delayed nor counted.
    const namespace = (env as unknown as Record<string, DurableObjectNamespace<ObjectHooks>>)[binding];
    if (!namespace) throw new Error(`no binding ${binding}`);
    const tally = await namespace.get(namespace.idFromString(id)).benchCounters(tag);
    addTally(total, tally);
    queue.push(...tally.objects);
  }
  return total;
}
type ObjectHooks = Rpc.DurableObjectBranded & MeasuredHooks;

const bench = new Hono<{ Bindings: Env }>()
  .post("/bench/baseline", async (c) => {
    const { model, prompt } = await c.req.json<{ model: string; prompt: string }>();
    return relay(c.env, model, prompt, (work) => c.executionCtx.waitUntil(work));
  })
  // `?tag=…`, and `&objects=USER_ACCOUNT,…` to read only those bindings' objects.
  .get("/bench/counters", async (c) =>
    c.json(await countersOf(c.env, c.req.query("tag") ?? "", c.req.query("objects")?.split(","))),
  )
  // Makes `count` deltas of made-up words from `seed` (none repeats, so the tokenizer's cache never
  // answers) and, with `count: true`, counts their tokens one delta at a time as a run does. The
  // client times both: the difference is the tokenizer.
  .post("/bench/tokenizer", async (c) => {
    const body = await c.req.json<{ deltas: number; seed: number; count: boolean }>();
    let state = body.seed >>> 0 || 1;
    const letter = () => {
      state = (state * 1_103_515_245 + 12_345) >>> 0;
      return String.fromCharCode(97 + (state % 26));
    };
    const textTokens = await tokenCounter();
    let tokens = 0;
    let chars = 0;
    for (let i = 0; i < body.deltas; i++) {
      let word = " ";
      for (let k = 0; k < 3 + (i % 6); k++) word += letter();
      chars += word.length;
      if (body.count) tokens += textTokens(word);
    }
    return c.json({ tokens, chars });
  })
  // Does nothing: lets the benchmark bring the isolate to its thread (see bench/devtools.ts).
  .get("/bench/tick", (c) => c.body(null, 204))
  // Records at volume: seeding with the real writers, and what D1, R2 and an account hold (records-bench.ts).
  .route("/bench", recordsBench);

export default {
  fetch(request: Request, env: Env, ctx: ExecutionContext) {
    if (new URL(request.url).pathname.startsWith("/bench/")) return bench.fetch(request, env, ctx);
    const context = parseContext(request.headers.get(BENCH_HEADER));
    let tally: Tally | undefined;
    if (context.tag) {
      tally = workerTallies.get(context.tag) ?? newTally();
      workerTallies.set(context.tag, tally);
    }
    const meter: Meter = { by: "worker", context: () => context, tally: () => tally };
    return realWorker.fetch(request, wrapEnv(env, meter, BENCH_BINDINGS), ctx);
  },
} satisfies ExportedHandler<Env>;
