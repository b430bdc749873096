// Measured Durable Object classes (bench only): `measured(RealClass)` is a subclass whose constructor
// hands the real class a wrapped env (D1 delayed and counted, stubs delayed and counted) and a state
// whose storage counts its writes, so whatever the object does through `this.env` or `this.ctx.storage`
// is measured, without any seam of the class.
import type { DurableObject } from "cloudflare:workers";
import {
  type BenchContext,
  isWrite,
  type MeasuredBindings,
  type Meter,
  NO_BENCH,
  newTally,
  type Tally,
  wrapEnv,
} from "./latency";

/**
 * Kept per isolate, not per instance, so an object evicted and built again (to run an alarm, say) still
 * runs with its last caller's context and counts into the same tally.
 */
const contexts = new Map<string, BenchContext>();
const tallies = new Map<string, Tally>();

/** The tally of object `id` for `tag`, made on first use. */
function tallyOf(id: string, tag: string): Tally {
  const key = `${id}|${tag}`;
  let tally = tallies.get(key);
  if (!tally) {
    tally = newTally();
    tallies.set(key, tally);
  }
  return tally;
}

const counted = new WeakSet<DurableObjectStorage>();

/** What a measured class adds, called over RPC by the wrapped stubs and the counters route. */
export interface MeasuredHooks {
  /** Runs `method(...args)` with the caller's context (its rtt, delay and tag). */
  benchCall(context: BenchContext, method: string, args: unknown[]): unknown;
  /** This object's counts for `tag`. */
  benchCounters(tag: string): Tally;
}

/**
 * Counts `state`'s SQL row writes and KV puts into the meter's tally. The runtime accepts only its own
 * state object in `super()`, so its storage objects are patched in place (their methods shadowed on
 * the instances this object uses) rather than wrapped.
 */
function countStorage(state: DurableObjectState, meter: Meter): void {
  // An object built again on the same storage must not count each write twice.
  if (counted.has(state.storage)) return;
  counted.add(state.storage);
  const count = (key: "storageRows" | "storageKvPuts") => {
    const tally = meter.tally();
    if (tally) tally[key]++;
  };
  const { storage } = state;
  const { sql, kv } = storage;
  const exec = sql.exec;
  sql.exec = function countedExec<T extends Record<string, SqlStorageValue>>(query: string, ...bindings: unknown[]) {
    if (isWrite(query)) count("storageRows");
    return exec.call(this, query, ...bindings) as SqlStorageCursor<T>;
  };
  const kvPut = kv.put;
  kv.put = function countedKvPut(key: string, value: unknown) {
    count("storageKvPuts");
    return kvPut.call(this, key, value);
  };
  const put = storage.put as (...args: unknown[]) => Promise<void>;
  storage.put = function countedPut(this: DurableObjectStorage, ...args: unknown[]) {
    count("storageKvPuts");
    return put.apply(this, args);
  } as DurableObjectStorage["put"];
  if (state.storage.sql.exec !== sql.exec) throw new Error("bench: the object's storage.sql is not one object");
}

type ObjectClass<T> = new (ctx: DurableObjectState, env: Env) => T;

/**
 * The measured subclass of a Durable Object class. Export it from the bench entry under the real
 * class's name, and list its binding in `BENCH_BINDINGS.objects`.
 * @example export const ExecutionSession = measured(RealExecutionSession, BENCH_BINDINGS);
 */
export function measured<T extends Rpc.DurableObjectBranded>(
  Base: ObjectClass<T>,
  bindings: MeasuredBindings,
): ObjectClass<T & MeasuredHooks> {
  class Measured extends (Base as unknown as ObjectClass<DurableObject<Env>>) {
    constructor(ctx: DurableObjectState, env: Env) {
      const id = ctx.id.toString();
      const meter: Meter = {
        by: Base.name || "object",
        context: () => contexts.get(id) ?? NO_BENCH,
        tally: () => {
          const tag = contexts.get(id)?.tag;
          return tag ? tallyOf(id, tag) : undefined;
        },
      };
      countStorage(ctx, meter);
      super(ctx, wrapEnv(env, meter, bindings));
    }

    benchCall(context: BenchContext, method: string, args: unknown[]): unknown {
      contexts.set(this.ctx.id.toString(), context);
      const target = Reflect.get(this, method) as unknown;
      if (typeof target !== "function") throw new TypeError(`${Base.name} has no method ${method}`);
      return (target as (...a: unknown[]) => unknown).apply(this, args);
    }

    benchCounters(tag: string): Tally {
      return tallies.get(`${this.ctx.id.toString()}|${tag}`) ?? newTally();
    }
  }
  return Measured as unknown as ObjectClass<T & MeasuredHooks>;
}
