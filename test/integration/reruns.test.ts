// Rerun from a step: the source's plan, inputs merged over the source's, per-prompt overrides; a
// prompt before fromPromptId whose request is unchanged is reused (no model call, no cost).
import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { EVENT_LOG_RETENTION_MS, type ExecutionSession } from "../../src/durable/execution-session";
import { apiJson, type ErrorJson } from "../helpers/api";
import { newUser } from "../helpers/auth";
import { insertEarlierExecution } from "../helpers/d1-rows";
import { createToolFor, followEvents, getRecord, startExecution } from "../helpers/executions";
import { advanceClock, sessionStub } from "../helpers/session";
import type { TestToolBody } from "../helpers/tools";
import { scriptModel, streamOf, upstreamRequests } from "../helpers/upstream";

interface Created {
  id: string;
  status: string;
  eventsUrl: string;
  streamToken: string;
}

interface RerunRecord {
  status: string;
  sourceExecutionId: string | null;
  fromPromptId: string | null;
  results: {
    promptId: string;
    name: string;
    status: string;
    output: string;
    reused: boolean;
    attempts: number;
    usage: { inputTokens: number; outputTokens: number } | null;
  }[];
}

const rerun = (user: string, id: string, body: unknown, headers: Record<string, string> = {}) =>
  apiJson<Created & ErrorJson>(`/api/executions/${id}/rerun`, { user, body, headers });

async function ended(user: string, toolBody: TestToolBody, inputs: Record<string, unknown>) {
  const tool = await createToolFor(user, toolBody);
  const execution = await startExecution(user, tool.id, inputs);
  await followEvents(user, execution.id);
  return {
    tool,
    source: execution.id,
    byName: (name: string) => tool.prompts.find((prompt) => prompt.name === name)?.id ?? "",
  };
}

const record = (user: string, id: string) =>
  apiJson<RerunRecord>(`/api/executions/${id}`, { user }).then((answer) => answer.body);

describe("rerun from a step", () => {
  it("reruns a failed chain from the failed prompt with an override, reusing what completed", async () => {
    const user = newUser();
    const outline = await scriptModel(streamOf("outline text", 4));
    const refused = await scriptModel({ kind: "error", status: 400, message: "unknown model" });
    const { source, byName } = await ended(
      user,
      {
        name: "Two steps",
        inputFields: [{ name: "topic", label: "Topic", type: "text", required: true }],
        prompts: [
          { name: "outline", position: 0, model: outline, content: "Outline {{topic}}" },
          { name: "lesson", position: 1, model: refused, content: "Lesson from {{outline}}" },
        ],
      },
      { topic: "tides" },
    );
    expect((await getRecord(user, source)).status).toBe("failed");

    const fixed = await scriptModel(streamOf("the lesson", 3));
    const created = await rerun(user, source, { prompts: { [byName("lesson")]: { model: fixed } } });
    expect(created.status).toBe(201);
    const events = await followEvents(user, created.body.id);
    expect(events[0]).toMatchObject({
      type: "execution.started",
      data: { sourceExecutionId: source, fromPromptId: byName("lesson") },
    });
    const reused = events.filter((item) => "promptId" in item.data && item.data.promptId === byName("outline"));
    expect(reused.map((item) => item.type)).toEqual(["prompt.started", "prompt.completed"]);
    expect(reused[1]?.data).toMatchObject({ output: "outline text", reused: true, usage: null });
    expect(events.at(-1)?.type).toBe("execution.completed");
    expect(await upstreamRequests(outline)).toHaveLength(1);
    expect((await upstreamRequests(fixed))[0]?.body.messages.at(-1)?.content).toBe("Lesson from outline text");

    const after = await record(user, created.body.id);
    expect(after).toMatchObject({ status: "completed", sourceExecutionId: source, fromPromptId: byName("lesson") });
    expect(
      after.results.map((result) => [result.name, result.output, result.reused, result.attempts, result.usage]),
    ).toEqual([
      ["outline", "outline text", true, 0, null],
      ["lesson", "the lesson", false, 1, expect.any(Object)],
    ]);
    const lineage = await apiJson<{ executions: { id: string; sourceExecutionId: string }[] }>(
      `/api/executions?sourceExecutionId=${source}`,
      { user },
    );
    expect(lineage.body.executions.map((execution) => [execution.id, execution.sourceExecutionId])).toEqual([
      [created.body.id, source],
    ]);
  });

  it("a changed input reruns exactly the prompts whose request changes, parallel ones included", async () => {
    const user = newUser();
    const byTopic = await scriptModel(streamOf("about the topic", 5));
    const byGrade = await scriptModel(streamOf("for the grade", 5));
    const joined = await scriptModel(streamOf("joined", 3));
    const { source, byName } = await ended(
      user,
      {
        name: "Parallel",
        inputFields: [
          { name: "topic", label: "Topic", type: "text", required: true },
          { name: "grade", label: "Grade", type: "select", options: ["1", "2"] },
        ],
        prompts: [
          { name: "a", position: 0, model: byTopic, content: "Topic {{topic}}" },
          { name: "b", position: 0, model: byGrade, content: "Grade {{grade}}" },
          { name: "c", position: 1, model: joined, content: "Join {{a}}" },
        ],
      },
      { topic: "tides", grade: "1" },
    );
    const created = await rerun(user, source, { inputs: { grade: "2" } });
    expect(created.status).toBe(201);
    await followEvents(user, created.body.id);
    const after = await record(user, created.body.id);
    // Every prompt completed in the source, so none is "from": each is reused when unchanged.
    expect(after.fromPromptId).toBeNull();
    expect(after.results.map((result) => [result.name, result.reused])).toEqual([
      ["a", true],
      ["b", false],
      ["c", true],
    ]);
    expect(await upstreamRequests(byTopic)).toHaveLength(1);
    expect((await upstreamRequests(byGrade)).map((request) => request.body.messages.at(-1)?.content)).toEqual([
      "Grade 1",
      "Grade 2",
    ]);
    expect(await upstreamRequests(joined)).toHaveLength(1);

    // From an explicit prompt: it and everything after it run, even when unchanged.
    const fromC = await rerun(user, source, { fromPromptId: byName("c") });
    await followEvents(user, fromC.body.id);
    expect((await record(user, fromC.body.id)).results.map((result) => result.reused)).toEqual([true, true, false]);
    expect(await upstreamRequests(joined)).toHaveLength(2);
  });

  it("reused prompts cost nothing: no usage, and the totals count only what ran", async () => {
    const user = newUser();
    const first = await scriptModel({
      kind: "stream",
      chunks: ["one"],
      usage: { prompt_tokens: 10, completion_tokens: 5 },
    });
    const second = await scriptModel({
      kind: "stream",
      chunks: ["two"],
      usage: { prompt_tokens: 3, completion_tokens: 2 },
    });
    const { source, byName } = await ended(
      user,
      {
        name: "Costs",
        inputFields: [],
        prompts: [
          { name: "p1", position: 0, model: first, content: "one" },
          { name: "p2", position: 1, model: second, content: "two {{p1}}" },
        ],
      },
      {},
    );
    const created = await rerun(user, source, { fromPromptId: byName("p2") });
    const events = await followEvents(user, created.body.id);
    expect(events.at(-1)).toMatchObject({
      type: "execution.completed",
      data: { usage: { inputTokens: 3, outputTokens: 2 } },
    });
    expect((await record(user, created.body.id)).results.map((result) => result.usage)).toEqual([
      null,
      { inputTokens: 3, outputTokens: 2 },
    ]);
  });

  it("runs the source's plan, not the tool's current version", async () => {
    const user = newUser();
    const model = await scriptModel(streamOf("v1 answer"));
    const { tool, source } = await ended(
      user,
      { name: "Versioned", inputFields: [], prompts: [{ name: "p", position: 0, model, content: "version one" }] },
      {},
    );
    await apiJson(`/api/tools/${tool.id}`, {
      user,
      method: "PUT",
      body: {
        name: "Versioned",
        inputFields: [],
        prompts: [{ name: "p", position: 0, model, content: "version two" }],
      },
    });
    const created = await rerun(user, source, { fromPromptId: tool.prompts[0]?.id });
    await followEvents(user, created.body.id);
    expect((await upstreamRequests(model)).map((request) => request.body.messages.at(-1)?.content)).toEqual([
      "version one",
      "version one",
    ]);
  });
});

describe("rerun refusals and idempotency", () => {
  async function completed(user: string) {
    return ended(
      user,
      {
        name: "One",
        inputFields: [{ name: "topic", label: "Topic", type: "text", required: true }],
        prompts: [{ name: "p", position: 0, model: await scriptModel(streamOf("x")), content: "{{topic}}" }],
      },
      { topic: "t" },
    );
  }

  it("answers 404 for another user's execution, exactly like a missing one", async () => {
    const { source } = await completed(newUser());
    const stranger = await rerun(newUser(), source, {});
    const missing = await rerun(newUser(), crypto.randomUUID(), {});
    expect([stranger.status, missing.status]).toEqual([404, 404]);
    expect(stranger.body).toEqual(missing.body);
  });

  it("answers 409 while the source is still running", async () => {
    const user = newUser();
    const tool = await createToolFor(user, {
      name: "Slow",
      inputFields: [],
      prompts: [
        {
          name: "p",
          position: 0,
          model: await scriptModel({ kind: "stream", chunks: ["a", "b"], hangAfter: 1 }),
          content: "x",
        },
      ],
    });
    const running = await startExecution(user, tool.id, {});
    const answer = await rerun(user, running.id, {});
    expect(answer.status).toBe(409);
    expect(answer.body.error.code).toBe("conflict");
    await apiJson(`/api/executions/${running.id}/cancel`, { user, method: "POST" });
  });

  it("answers 400 naming the prompt for a bad override, an unknown prompt, bad inputs or an unknown fromPromptId", async () => {
    const user = newUser();
    const { source, byName } = await completed(user);
    const badContent = await rerun(user, source, { prompts: { [byName("p")]: { content: "uses {{nothing}}" } } });
    expect(badContent.status).toBe(400);
    expect(badContent.body.error.details?.fields?.[0]).toMatchObject({
      path: `prompts.${byName("p")}.content`,
      message: expect.stringContaining("{{nothing}}"),
    });
    const unknownPrompt = await rerun(user, source, { prompts: { "no-such-prompt": { model: "m" } } });
    expect(unknownPrompt.body.error.details?.fields?.[0]?.path).toBe("prompts.no-such-prompt");
    expect((await rerun(user, source, { inputs: { topic: "" } })).status).toBe(400);
    expect((await rerun(user, source, { inputs: { extra: 1 } })).status).toBe(400);
    expect((await rerun(user, source, { fromPromptId: "nope" })).status).toBe(400);
    expect((await rerun(user, source, { prompts: { [byName("p")]: { temperature: 9 } } })).status).toBe(400);
  });

  it("returns the same execution for a retried POST with the same Idempotency-Key, and 409 for another body", async () => {
    const user = newUser();
    const { source } = await completed(user);
    const key = { "Idempotency-Key": `rerun-${crypto.randomUUID()}` };
    const first = await rerun(user, source, { inputs: { topic: "again" } }, key);
    const retry = await rerun(user, source, { inputs: { topic: "again" } }, key);
    expect([first.status, retry.status]).toEqual([201, 200]);
    expect(retry.body.id).toBe(first.body.id);
    const other = await rerun(user, source, { inputs: { topic: "different" } }, key);
    expect(other.status).toBe(409);
  });

  it("passes the concurrency limit like a create", async () => {
    const user = newUser();
    const { source } = await completed(user);
    const hanging = await createToolFor(user, {
      name: "Hang",
      inputFields: [],
      prompts: [
        {
          name: "p",
          position: 0,
          model: await scriptModel(streamOf("x".repeat(40), 1, { chunkDelayMs: 100 })),
          content: "x",
        },
      ],
    });
    const running = [];
    for (let i = 0; i < 5; i++) running.push(await startExecution(user, hanging.id, {}));
    const refused = await rerun(user, source, {});
    expect(refused.status).toBe(429);
    expect(refused.body.error.code).toBe("too_many_executions");
    for (const execution of running) await apiJson(`/api/executions/${execution.id}/cancel`, { user, method: "POST" });
  });
});

describe("a rerun after its event log's retention", () => {
  it("replays from the D1 records with its lineage, the reused prompt whole (no deltas) and the costs", async () => {
    const user = newUser();
    const { source } = await ended(
      user,
      {
        name: "Retained",
        inputFields: [],
        prompts: [
          { name: "p1", position: 0, model: "priced-echo", content: "first" },
          { name: "p2", position: 1, model: await scriptModel(streamOf("second")), content: "then {{p1}}" },
        ],
      },
      {},
    );
    const p2 = (await record(user, source)).results[1]?.promptId ?? "";
    const created = await rerun(user, source, { fromPromptId: p2 });
    const live = await followEvents(user, created.body.id);
    const stub = sessionStub(created.body.id);
    await runInDurableObject(stub, (instance: ExecutionSession) => advanceClock(instance, EVENT_LOG_RETENTION_MS + 1));
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    const rebuilt = await followEvents(user, created.body.id);
    expect(rebuilt[0]).toMatchObject({
      type: "execution.started",
      data: { sourceExecutionId: source, fromPromptId: p2 },
    });
    expect(rebuilt.map((item) => item.type)).toEqual([
      "execution.started",
      "prompt.started",
      "prompt.completed",
      "prompt.started",
      "prompt.delta",
      "prompt.completed",
      "execution.completed",
    ]);
    expect(rebuilt[2]?.data).toMatchObject({
      reused: true,
      output: live.find((item) => item.type === "prompt.completed")?.data.output,
      costMicros: 0,
    });
    expect(rebuilt.at(-1)?.data).toEqual({ ...live.at(-1)?.data, durationMs: expect.any(Number) });
  });
});

describe("Idempotency-Key on executions created before request fingerprints", () => {
  it("replays a create with the same tool and inputs, and refuses anything else under that key", async () => {
    // The user's account opens after the deploy, and takes the key from D1 (the cut-over).
    const user = newUser();
    const tool = await createToolFor(user, {
      name: "Old",
      inputFields: [],
      prompts: [{ name: "p", position: 0, model: "demo", content: "x" }],
    });
    const key = `old-${crypto.randomUUID()}`;
    const id = crypto.randomUUID();
    await insertEarlierExecution({ id, ownerId: user, toolId: tool.id, idempotencyKey: key, status: "pending" });
    const same = await apiJson<Created>("/api/executions", {
      user,
      body: { toolId: tool.id, inputs: {} },
      headers: { "Idempotency-Key": key },
    });
    expect([same.status, same.body.id]).toEqual([200, id]);
    const other = await apiJson<ErrorJson>("/api/executions", {
      user,
      body: { toolId: tool.id, inputs: { extra: 1 } },
      headers: { "Idempotency-Key": key },
    });
    expect(other.status).toBe(409);
    expect((await rerun(user, id, {}, { "Idempotency-Key": key })).status).toBe(409);
  });
});
