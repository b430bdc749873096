// A real crash: the whole local runtime (wrangler and workerd) killed with SIGKILL in the middle of
// prompt 2 of 3, then a fresh `wrangler dev` on the same state directory. The run continues and
// completes, prompt 1 is never sent to the model again, and a client that followed the stream across
// the crash with Last-Event-ID holds exactly the stored outputs.
import { createHmac, randomUUID } from "node:crypto";
import { rmSync } from "node:fs";
import { afterAll, describe, expect, inject, it } from "vitest";
import type { StoredEvent } from "../../src/events/types";
import { readSse, toEvents } from "../helpers/sse";
import { type LocalWorker, startLocalWorker } from "../upstream/local-worker";
import type { UpstreamAttempt, UpstreamRequestRecord } from "../upstream/scripts";

const JWT_SECRET = "crash-secret-0123456789abcdef0123456789abcdef";
const vars = () => ({ OPENAI_BASE_URL: `${inject("upstreamUrl")}/v1`, OPENAI_API_KEY: "crash-key", JWT_SECRET });
const workers: LocalWorker[] = [];

afterAll(async () => {
  for (const worker of workers) await worker.stop();
  for (const worker of workers) rmSync(worker.persistTo, { recursive: true, force: true });
});

function token(userId: string): string {
  const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");
  const now = Math.floor(Date.now() / 1000);
  const unsigned = `${encode({ alg: "HS256", typ: "JWT" })}.${encode({ sub: userId, iat: now, exp: now + 3600 })}`;
  return `${unsigned}.${createHmac("sha256", JWT_SECRET).update(unsigned).digest("base64url")}`;
}

async function call<T>(worker: LocalWorker, path: string, user: string, body?: unknown): Promise<T> {
  const response = await fetch(`${worker.baseUrl}${path}`, {
    method: body === undefined ? "GET" : "POST",
    headers: { Authorization: `Bearer ${token(user)}`, "Content-Type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`${path} answered ${response.status}: ${await response.text()}`);
  return (await response.json()) as T;
}

async function scriptModel(...attempts: UpstreamAttempt[]): Promise<string> {
  const model = `crash-${randomUUID()}`;
  await fetch(`${inject("upstreamUrl")}/__scripts`, { method: "POST", body: JSON.stringify({ model, attempts }) });
  return model;
}

const requestsFor = async (model: string) =>
  (await (await fetch(`${inject("upstreamUrl")}/__requests?model=${model}`)).json()) as UpstreamRequestRecord[];

/** Each prompt's output as a client folds it: its deltas after its last prompt.started or prompt.restarted. */
function folded(events: readonly StoredEvent[]): Record<string, string> {
  const outputs: Record<string, string> = {};
  for (const item of events) {
    if (item.type === "prompt.started" || item.type === "prompt.restarted") outputs[item.data.promptId] = "";
    if (item.type === "prompt.delta")
      outputs[item.data.promptId] = (outputs[item.data.promptId] ?? "") + item.data.delta;
  }
  return outputs;
}

const isTerminal = (item: StoredEvent | undefined) =>
  item !== undefined && item.type !== "execution.started" && item.type.startsWith("execution.");

describe("a run across a crash of the whole local runtime", () => {
  it("completes after SIGKILL and a restart on the same state, without asking for prompt 1 again", {
    timeout: 180_000,
  }, async () => {
    const first = await scriptModel({ kind: "stream", chunks: ["first ", "answer"] });
    const slowWords = Array.from({ length: 60 }, (_, i) => `w${i} `);
    const second = await scriptModel(
      { kind: "stream", chunks: slowWords, chunkDelayMs: 100 },
      { kind: "stream", chunks: ["second ", "answer"] },
    );
    const third = await scriptModel({ kind: "stream", chunks: ["third ", "answer"] });
    const user = `crash-${randomUUID()}`;

    const before = await startLocalWorker({ vars: vars() });
    workers.push(before);
    const tool = await call<{ id: string; prompts: { id: string }[] }>(before, "/api/tools", user, {
      name: "Three steps",
      inputFields: [{ name: "topic", label: "Topic", type: "text", required: true }],
      prompts: [
        { name: "one", position: 0, model: first, content: "About {{topic}}" },
        { name: "two", position: 1, model: second, content: "Then {{one}}" },
        { name: "three", position: 2, model: third, content: "Last {{two}}" },
      ],
    });
    const execution = await call<{ id: string; eventsUrl: string }>(before, "/api/executions", user, {
      toolId: tool.id,
      inputs: { topic: "tides" },
    });

    // Follow until prompt 2 has streamed a few words, then kill everything at once.
    const secondId = tool.prompts[1]?.id ?? "";
    const stream = await fetch(`${before.baseUrl}${execution.eventsUrl}`, {
      headers: { Authorization: `Bearer ${token(user)}` },
    });
    const killed = readSse(
      stream,
      (messages) => (folded(toEvents(messages))[secondId] ?? "").split(" ").length > 4,
    ).catch(() => null);
    const seen = toEvents((await killed)?.messages ?? []);
    expect((folded(seen)[secondId] ?? "").length).toBeGreaterThan(0);
    await before.kill();

    const after = await startLocalWorker({ vars: vars(), persistTo: before.persistTo });
    workers.push(after);
    const events = [...seen];
    for (let connections = 0; connections < 20 && !isTerminal(events.at(-1)); connections++) {
      const lastId = String(events.at(-1)?.id ?? 0);
      const response = await fetch(`${after.baseUrl}${execution.eventsUrl}`, {
        headers: { Authorization: `Bearer ${token(user)}`, "Last-Event-ID": lastId },
      });
      if (response.status === 204) break;
      events.push(...toEvents((await readSse(response)).messages));
    }

    expect(events.at(-1)?.type).toBe("execution.completed");
    const restart = events.find((item) => item.type === "prompt.restarted");
    expect(restart?.data).toMatchObject({ promptId: secondId, attempt: 2, reason: { code: "interrupted" } });
    expect(restart?.id).toBeGreaterThan(Math.max(...seen.map((item) => item.id)));
    expect(await requestsFor(first)).toHaveLength(1);
    expect(await requestsFor(second)).toHaveLength(2);
    expect(await requestsFor(third)).toHaveLength(1);

    const record = await call<{ status: string; results: { promptId: string; output: string; attempts: number }[] }>(
      after,
      `/api/executions/${execution.id}`,
      user,
    );
    expect(record.status).toBe("completed");
    expect(record.results.map((result) => [result.output, result.attempts])).toEqual([
      ["first answer", 1],
      ["second answer", 2],
      ["third answer", 1],
    ]);
    expect(folded(events)).toEqual(
      Object.fromEntries(record.results.map((result) => [result.promptId, result.output])),
    );
  });
});
