// The benchmark's wrapped bindings (bench/worker/latency.ts) on the real local D1 and Durable Object
// namespace: each round trip waits the injected rtt and is counted once (a batch once), statements and
// writes are counted, a stub's calls wait the fixed object delay and are counted with their object, and
// R2 operations are counted by kind (with the keys a delete named and the bytes a put sent).
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import {
  delayedCountingD1,
  delayedNamespace,
  type Meter,
  NO_BENCH,
  newTally,
  parseContext,
  type Tally,
  wrapEnv,
} from "../../bench/worker/latency";
import { countingR2 } from "../../bench/worker/r2-counting";

function meter(rttMs: number, doMs = 0): Omit<Meter, "tally"> & { tally: () => Tally } {
  const tally = newTally();
  return { by: "worker", context: () => ({ rttMs, doMs, tag: "t" }), tally: () => tally };
}

const timed = async <T>(work: () => Promise<T>) => {
  const started = Date.now();
  const result = await work();
  return { result, ms: Date.now() - started };
};

describe("the delayed, counting D1 binding", () => {
  it("waits the rtt once per statement run and counts it as one round trip", async () => {
    const m = meter(40);
    const db = delayedCountingD1(env.DB, m);
    const { result, ms } = await timed(() => db.prepare("select ? as n").bind(7).first<{ n: number }>());
    expect(result?.n).toBe(7);
    expect(ms).toBeGreaterThanOrEqual(38);
    expect(m.tally()).toMatchObject({ d1RoundTrips: 1, d1Statements: 1, d1Writes: 0 });
  });

  it("counts a batch as one round trip of all its statements, and its writes", async () => {
    const m = meter(40);
    const db = delayedCountingD1(env.DB, m);
    const { result, ms } = await timed(() =>
      db.batch([
        db.prepare("create table if not exists bench_probe (n integer)"),
        db.prepare("insert into bench_probe (n) values (?)").bind(1),
        db.prepare("select count(*) as c from bench_probe"),
      ]),
    );
    expect(result).toHaveLength(3);
    expect(ms).toBeGreaterThanOrEqual(38);
    expect(ms).toBeLessThan(40 * 3);
    expect(m.tally()).toMatchObject({ d1RoundTrips: 1, d1Statements: 3, d1Writes: 1 });
    expect(m.tally().trips).toHaveLength(1);
  });

  it("counts run, all and raw each as a round trip, and sessions as the database", async () => {
    const m = meter(0);
    const db = delayedCountingD1(env.DB, m);
    await db.prepare("select 1").run();
    await db.prepare("select 1").all();
    await db.prepare("select 1").raw();
    await db.withSession().prepare("select 1").first();
    expect(m.tally()).toMatchObject({ d1RoundTrips: 4, d1Statements: 4 });
  });

  it("counts nothing and adds no wait without a tag", async () => {
    const db = delayedCountingD1(env.DB, { by: "worker", context: () => NO_BENCH, tally: () => undefined });
    expect((await db.prepare("select 1 as one").first<{ one: number }>())?.one).toBe(1);
  });
});

describe("the delayed, counting Durable Object namespace", () => {
  it("waits the object delay around each call and counts it with the object it reached", async () => {
    const m = meter(0, 20);
    const namespace = delayedNamespace(env.EXECUTION_SESSION, "EXECUTION_SESSION", m, false);
    const id = namespace.idFromName("bench-bindings-probe");
    const stub = namespace.get(id);
    expect(stub.id.toString()).toBe(id.toString());
    const { result, ms } = await timed(() => stub.status());
    expect(result.status).toBe("unknown");
    expect(ms).toBeGreaterThanOrEqual(18);
    await stub.status();
    expect(m.tally()).toMatchObject({ doCalls: 2, objects: [`EXECUTION_SESSION:${id.toString()}`] });
  });

  it("wraps only the bindings it is told to, and keeps the rest of env as it is", () => {
    const wrapped = wrapEnv(env, meter(0), { d1: ["DB"], objects: [] });
    expect(wrapped.DB).not.toBe(env.DB);
    expect(wrapped.EXECUTION_SESSION).toBe(env.EXECUTION_SESSION);
    expect(wrapped.MAX_BODY_BYTES).toBe(env.MAX_BODY_BYTES);
  });
});

describe("the counting R2 bucket", () => {
  it("counts puts (and their bytes), gets, heads, lists and deletes (and their keys) into the tag's tally", async () => {
    const m = meter(0);
    const bucket = countingR2(env.OUTPUTS, m);
    const prefix = `bench-r2-probe/${crypto.randomUUID()}/`;
    await bucket.put(`${prefix}a`, "héllo");
    await bucket.put(`${prefix}b`, new Uint8Array(10));
    expect(await (await bucket.get(`${prefix}a`))?.text()).toBe("héllo");
    expect((await bucket.head(`${prefix}b`))?.size).toBe(10);
    expect((await bucket.list({ prefix })).objects).toHaveLength(2);
    await bucket.delete([`${prefix}a`, `${prefix}b`]);
    await bucket.delete(`${prefix}c`);
    expect(m.tally().r2).toEqual({
      puts: 2,
      bytesPut: 16,
      gets: 1,
      heads: 1,
      lists: 1,
      deletes: 2,
      deletedKeys: 3,
      multipart: 0,
    });
    expect((await env.OUTPUTS.list({ prefix })).objects).toEqual([]);
  });

  it("counts nothing without a tag, and is wrapped by wrapEnv only when listed", async () => {
    const bucket = countingR2(env.OUTPUTS, { by: "worker", context: () => NO_BENCH, tally: () => undefined });
    expect(await bucket.get("bench-r2-probe/missing")).toBeNull();
    expect(wrapEnv(env, meter(0), { d1: [], objects: [] }).OUTPUTS).toBe(env.OUTPUTS);
    expect(wrapEnv(env, meter(0), { d1: [], objects: [], r2: ["OUTPUTS"] }).OUTPUTS).not.toBe(env.OUTPUTS);
  });
});

describe("the bench context header", () => {
  it("reads rtt, object delay and tag, and treats anything missing as unmeasured", () => {
    expect(parseContext('{"rttMs":50,"doMs":5,"tag":"x"}')).toEqual({ rttMs: 50, doMs: 5, tag: "x" });
    expect(parseContext('{"tag":"x"}')).toEqual({ rttMs: 0, doMs: 0, tag: "x" });
    expect(parseContext(null)).toEqual(NO_BENCH);
  });
});
