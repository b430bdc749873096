// The bench Worker's bindings with injected latency and cost counters (bench only). D1: every round trip
// waits `rttMs` (half on the way out, half on the way back; a batch is one round trip). Durable Object
// stubs: every call waits `doMs` the same way. Both count into the tally of the request's tag, and so do
// R2 operations (counted, never delayed: r2-counting.ts). Only the bindings are wrapped, so whatever
// src/ does with `env.DB`, a stub or a bucket is delayed and counted.
import { countingR2, newR2Tally, type R2Tally } from "./r2-counting";

/** What one request (or one object, from its latest call) runs with. */
export interface BenchContext {
  /** Injected D1 round-trip time, ms. */
  rttMs: number;
  /** Injected Durable Object call time, ms. */
  doMs: number;
  /** Counts go to this tag's tally; null: nothing is counted. */
  tag: string | null;
}

/** Unmeasured traffic: no added latency, nothing counted. */
export const NO_BENCH: BenchContext = { rttMs: 0, doMs: 0, tag: null };

/** The request header that carries a `BenchContext` as JSON. */
export const BENCH_HEADER = "X-Bench-Context";

/** What one tag cost, as seen through the wrapped bindings. */
export interface Tally {
  /** `.run/.all/.first/.raw` outside a batch, each batch, each `exec` or `dump`. */
  d1RoundTrips: number;
  d1Statements: number;
  /** Of those, INSERT/UPDATE/DELETE/REPLACE. */
  d1Writes: number;
  /** Calls (RPC methods and fetch) through wrapped Durable Object stubs. */
  doCalls: number;
  /** The objects' SQL row writes (statements that write). */
  storageRows: number;
  /** The objects' KV puts (sync `kv.put` and async `storage.put`). */
  storageKvPuts: number;
  /** Operations on wrapped R2 buckets, by kind. */
  r2: R2Tally;
  /** Objects these calls reached, as `BINDING:id`, whose own tallies belong to the same tag. */
  objects: string[];
  /** Each D1 round trip: when it was sent (ms since the epoch, workerd's clock), by whom, its statements' starts. */
  trips: Trip[];
}

export interface Trip {
  at: number;
  /** "worker" or the object's class. */
  by: string;
  statements: string[];
}

export const newTally = (): Tally => ({
  d1RoundTrips: 0,
  d1Statements: 0,
  d1Writes: 0,
  doCalls: 0,
  storageRows: 0,
  storageKvPuts: 0,
  r2: newR2Tally(),
  objects: [],
  trips: [],
});

/** Adds `from`'s counts and trips (not its objects) into `into`. */
export function addTally(into: Tally, from: Tally): Tally {
  into.d1RoundTrips += from.d1RoundTrips;
  into.d1Statements += from.d1Statements;
  into.d1Writes += from.d1Writes;
  into.doCalls += from.doCalls;
  into.storageRows += from.storageRows;
  into.storageKvPuts += from.storageKvPuts;
  for (const key of Object.keys(into.r2) as (keyof R2Tally)[]) into.r2[key] += from.r2[key];
  into.trips.push(...from.trips);
  into.trips.sort((a, b) => a.at - b.at);
  return into;
}

/** Where a wrapper reads, at each call, the context it runs with and the tally it counts into. */
export interface Meter {
  /** Who is calling, for the trip log: "worker" or the object's class. */
  by: string;
  context(): BenchContext;
  /** Undefined when nothing is counted. */
  tally(): Tally | undefined;
}

/** Which env keys are D1 databases, Durable Object namespaces of measured classes and R2 buckets. */
export interface MeasuredBindings {
  d1: readonly string[];
  objects: readonly string[];
  r2?: readonly string[];
}

export function parseContext(header: string | null): BenchContext {
  if (!header) return NO_BENCH;
  const raw = JSON.parse(header) as Partial<BenchContext>;
  const ms = (value: unknown) => (typeof value === "number" && Number.isFinite(value) && value > 0 ? value : 0);
  return { rttMs: ms(raw.rttMs), doMs: ms(raw.doMs), tag: typeof raw.tag === "string" && raw.tag ? raw.tag : null };
}

/** An INSERT, UPDATE, DELETE or REPLACE statement. */
export const isWrite = (sql: string) => /^\s*(insert|update|delete|replace)/i.test(sql);

const wait = (ms: number) => (ms > 0 ? new Promise<void>((resolve) => setTimeout(resolve, ms)) : undefined);

/** Runs `op` as one trip over a link of `ms`: half before it reaches the far side, half before the answer is back. */
async function trip<T>(ms: number, op: () => Promise<T>): Promise<T> {
  await wait(ms / 2);
  const result = await op();
  await wait(ms / 2);
  return result;
}

/** The property of `target`, methods bound to it: what a proxy returns for everything it does not change. */
export const forward = (target: object, prop: PropertyKey): unknown => {
  const value = Reflect.get(target, prop, target) as unknown;
  return typeof value === "function" ? value.bind(target) : value;
};

const REAL = Symbol("real statement");
const SQL = Symbol("statement sql");
type Wrapped = D1PreparedStatement & { [REAL]?: D1PreparedStatement; [SQL]?: string };
const RUNS = new Set<PropertyKey>(["run", "all", "first", "raw"]);

/** `real` with every round trip delayed by the meter's `rttMs` and counted into its tally. */
export function delayedCountingD1(real: D1Database, meter: Meter): D1Database {
  const roundTrip = <T>(statements: string[], op: () => Promise<T>): Promise<T> => {
    const tally = meter.tally();
    if (tally) {
      tally.d1RoundTrips++;
      tally.d1Statements += statements.length;
      tally.d1Writes += statements.filter(isWrite).length;
      tally.trips.push({
        at: Date.now(),
        by: meter.by,
        statements: statements.map((sql) => sql.replace(/\s+/g, " ").trim().slice(0, 60)),
      });
    }
    return trip(meter.context().rttMs, op);
  };
  const statement = (target: D1PreparedStatement, sql: string): Wrapped =>
    new Proxy(target, {
      get(t, prop) {
        if (prop === REAL) return t;
        if (prop === SQL) return sql;
        if (prop === "bind") return (...values: unknown[]) => statement(t.bind(...values), sql);
        if (RUNS.has(prop)) {
          const method = Reflect.get(t, prop, t) as (...args: unknown[]) => Promise<unknown>;
          return (...args: unknown[]) => roundTrip([sql], () => method.apply(t, args));
        }
        return forward(t, prop);
      },
    });
  // A D1 session (`withSession`) has the same prepare and batch; wrapped the same way.
  const database = <D extends D1Database | D1DatabaseSession>(target: D): D =>
    new Proxy(target, {
      get(t, prop) {
        if (prop === "prepare") return (sql: string) => statement(t.prepare(sql), sql);
        if (prop === "batch") {
          return (statements: Wrapped[]) =>
            roundTrip(
              statements.map((s) => s[SQL] ?? "?"),
              () => t.batch(statements.map((s) => s[REAL] ?? s)),
            );
        }
        if (prop === "exec" && "exec" in t) {
          // One round trip for the whole script; its statements are the non-empty pieces between semicolons.
          return (sql: string) =>
            roundTrip(
              sql.split(";").filter((piece) => piece.trim()),
              () => t.exec(sql),
            );
        }
        if (prop === "dump" && "dump" in t) return () => roundTrip([], () => t.dump());
        if (prop === "withSession" && "withSession" in t)
          return (...args: Parameters<D1Database["withSession"]>) => database(t.withSession(...args));
        return forward(t, prop);
      },
    });
  return database(real);
}

/** Names that a stub proxy hands straight through: its identity, and no `then` (a stub is not a promise). */
const STUB_PROPERTIES = new Set<PropertyKey>(["id", "name", "then", "toJSON"]);

/**
 * A Durable Object namespace whose stubs wait the meter's `doMs` around every call (RPC methods and
 * fetch) and count it. With `measured`, RPC calls go through the object's `benchCall`, which first
 * hands it the caller's context (its rtt, delay and tag), so the object's own bindings run with it.
 */
export function delayedNamespace<T extends Rpc.DurableObjectBranded | undefined>(
  namespace: DurableObjectNamespace<T>,
  binding: string,
  meter: Meter,
  measured: boolean,
): DurableObjectNamespace<T> {
  const stub = (target: DurableObjectStub<T>): DurableObjectStub<T> => {
    const key = `${binding}:${target.id.toString()}`;
    const called = () => {
      const tally = meter.tally();
      if (!tally) return;
      tally.doCalls++;
      if (!tally.objects.includes(key)) tally.objects.push(key);
    };
    return new Proxy(target, {
      get(t, prop) {
        if (typeof prop === "symbol" || STUB_PROPERTIES.has(prop)) return forward(t, prop);
        const rpc = t as unknown as Record<string, (...args: unknown[]) => Promise<unknown>> & {
          benchCall: (context: BenchContext, method: string, args: unknown[]) => Promise<unknown>;
        };
        return (...args: unknown[]) => {
          called();
          const context = meter.context();
          return trip(context.doMs, () =>
            measured && prop !== "fetch"
              ? rpc.benchCall(context, prop, args)
              : // Reflect.apply: on an RPC stub, `.apply` itself would be a remote method.
                (Reflect.apply(rpc[prop] as (...a: unknown[]) => Promise<unknown>, t, args) as Promise<unknown>),
          );
        };
      },
    });
  };
  return new Proxy(namespace, {
    get(t, prop) {
      if (prop === "get") return (...args: Parameters<DurableObjectNamespace<T>["get"]>) => stub(t.get(...args));
      if (prop === "getByName")
        return (...args: Parameters<DurableObjectNamespace<T>["getByName"]>) => stub(t.getByName(...args));
      if (prop === "jurisdiction")
        return (jurisdiction: DurableObjectJurisdiction) =>
          delayedNamespace(t.jurisdiction(jurisdiction), binding, meter, measured);
      return forward(t, prop);
    },
  });
}

/** `env` with its D1 databases, measured Durable Object namespaces and R2 buckets wrapped; everything else as it is. */
export function wrapEnv<E extends object>(env: E, meter: Meter, bindings: MeasuredBindings): E {
  const wrapped: Record<string, unknown> = { ...(env as Record<string, unknown>) };
  for (const name of bindings.d1) {
    const value = wrapped[name];
    if (value) wrapped[name] = delayedCountingD1(value as D1Database, meter);
  }
  for (const name of bindings.objects) {
    const value = wrapped[name];
    if (value) wrapped[name] = delayedNamespace(value as DurableObjectNamespace, name, meter, true);
  }
  for (const name of bindings.r2 ?? []) {
    const value = wrapped[name];
    if (value) wrapped[name] = countingR2(value as R2Bucket, meter);
  }
  return wrapped as E;
}
