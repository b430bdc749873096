// Benchmark entry (never deployed): the real app and Durable Object with cost counters, plus the
// baseline: the thinnest relay of the same upstream through the openai SDK to SSE, in the same workerd.
import { Hono } from "hono";
import { createApp } from "../../src/app";
import { ExecutionSession as RealExecutionSession } from "../../src/durable/execution-session";
import { tokenCounter } from "../../src/lib/tokens";
import { countingStorage } from "../../test/helpers/counting-storage";
import { type CostCounters, countingD1, newCounters } from "./counting";
import { relay } from "./relay";

const workerCounters = newCounters();

/** The real object, counting its own D1 statements and storage writes. */
// The sign-in account object the app's routes reach (wrangler dev refuses an entry without it).
export { UserAccount } from "../../src/durable/user-account";

export class ExecutionSession extends RealExecutionSession {
  private readonly counters: CostCounters;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    const counters = newCounters();
    // Through the seams the object offers: its storage and its database, counted.
    const internals = this.internals();
    internals.useDatabase(countingD1(env.DB, counters));
    internals.useStorage(countingStorage({ sql: ctx.storage.sql, kv: ctx.storage.kv }, counters.storage));
    this.counters = counters;
  }

  benchCounters(): CostCounters {
    return { ...this.counters, storage: { ...this.counters.storage } };
  }
}

const bench = new Hono<{ Bindings: Env }>()
  .post("/bench/baseline", async (c) => {
    const { model, prompt } = await c.req.json<{ model: string; prompt: string }>();
    return relay(c.env, model, prompt, (work) => c.executionCtx.waitUntil(work));
  })
  .get("/bench/counters", async (c) => {
    const executionId = c.req.query("executionId");
    // This entry binds EXECUTION_SESSION to the counting subclass above.
    const namespace = c.env.EXECUTION_SESSION as DurableObjectNamespace<ExecutionSession>;
    const session = executionId ? await namespace.get(namespace.idFromName(executionId)).benchCounters() : null;
    return c.json({ worker: workerCounters, session });
  })
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
  .post("/bench/counters/reset", (c) => {
    Object.assign(workerCounters, newCounters());
    return c.json({ ok: true });
  });

const app = createApp();

export default {
  fetch(request: Request, env: Env, ctx: ExecutionContext) {
    if (new URL(request.url).pathname.startsWith("/bench/")) return bench.fetch(request, env, ctx);
    return app.fetch(request, { ...env, DB: countingD1(env.DB, workerCounters) }, ctx);
  },
} satisfies ExportedHandler<Env>;
