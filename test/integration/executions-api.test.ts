import { describe, expect, it } from "vitest";
import { api, apiJson, type ErrorJson } from "../helpers/api";
import { newUser, tokenFor } from "../helpers/auth";
import { type CreatedExecution, createToolFor, followEvents, getRecord, startExecution } from "../helpers/executions";
import { outputsOf, readSse, toEvents } from "../helpers/sse";
import { lessonPlanner } from "../helpers/tools";
import { scriptModel, streamOf, upstreamRequests } from "../helpers/upstream";

/** One field of each type but select (including the original app's long_text and short_text). */
const EVERY_TYPE = [
  { name: "topic", label: "Topic", type: "long_text", required: true },
  { name: "count", label: "Count", type: "number" },
  { name: "tags", label: "Tags", type: "multi_select", options: ["a", "b"] },
  { name: "flag", label: "Flag", type: "boolean" },
  { name: "note", label: "Note", type: "short_text" },
];

const hanging = () => scriptModel({ kind: "stream", chunks: ["x", "never"], hangAfter: 1 });

describe("POST /api/executions", () => {
  it("returns 201 with id, status, eventsUrl and a stream token", async () => {
    const user = newUser();
    const tool = await createToolFor(user, lessonPlanner(await scriptModel(streamOf("ok"))));
    const { status, body } = await apiJson<CreatedExecution>("/api/executions", {
      user,
      body: { toolId: tool.id, inputs: { topic: "t" } },
    });
    expect(status).toBe(201);
    expect(body).toMatchObject({ status: "running", eventsUrl: `/api/executions/${body.id}/events` });
    expect(body.streamToken.split(".")).toHaveLength(3);
  });

  it("validates inputs against the tool's fields and names each bad field", async () => {
    const user = newUser();
    const model = await scriptModel(streamOf("ok"));
    const tool = await createToolFor(
      user,
      lessonPlanner(model, {
        inputFields: [...EVERY_TYPE, { name: "grade", label: "Grade", type: "select", options: ["K", "1"] }],
        prompts: [
          { name: "p", position: 0, model, content: "{{topic}} {{grade}} {{count}} {{tags}} {{flag}} {{note}}" },
        ],
      }),
    );
    const { status, body } = await apiJson<ErrorJson>("/api/executions", {
      user,
      body: { toolId: tool.id, inputs: { grade: "7", count: "many", tags: ["c"], flag: "yes", extra: 1 } },
    });
    expect(status).toBe(400);
    expect(body.error.details?.fields?.map((field) => field.path).sort()).toEqual(
      ["inputs.count", "inputs.extra", "inputs.flag", "inputs.grade", "inputs.tags", "inputs.topic"].sort(),
    );
  });

  it("substitutes every field type as text, multi_select comma-separated, optional empty as ''", async () => {
    const user = newUser();
    const model = await scriptModel(streamOf("ok"));
    const tool = await createToolFor(
      user,
      lessonPlanner(model, {
        inputFields: EVERY_TYPE,
        prompts: [{ name: "p", position: 0, model, content: "{{topic}}|${count}|{{tags}}|{{flag}}|{{note}}|" }],
      }),
    );
    const execution = await startExecution(user, tool.id, {
      topic: "{{count}}",
      count: "3",
      tags: ["a", "b"],
      flag: false,
    });
    await followEvents(user, execution.id);
    const [request] = await upstreamRequests(model);
    expect(request?.body.messages.at(-1)?.content).toBe("{{count}}|3|a, b|false||");
  });

  it("rejects more than 100 KB of inputs, saying so", async () => {
    const user = newUser();
    const tool = await createToolFor(user, lessonPlanner(await scriptModel(streamOf("ok"))));
    const { status, body } = await apiJson<ErrorJson>("/api/executions", {
      user,
      body: { toolId: tool.id, inputs: { topic: "x".repeat(110_000) } },
    });
    expect(status).toBe(400);
    expect(body.error.message).toContain("100 KB");
  });

  it("answers 404 for a tool that is not the caller's and not shared, and runs a shared one", async () => {
    const owner = newUser();
    const other = newUser();
    const model = await scriptModel(streamOf("shared ok"));
    const privateTool = await createToolFor(owner, lessonPlanner(model));
    const sharedTool = await createToolFor(owner, lessonPlanner(model, { visibility: "shared" }));
    expect(
      (await apiJson("/api/executions", { user: other, body: { toolId: privateTool.id, inputs: { topic: "x" } } }))
        .status,
    ).toBe(404);
    const execution = await startExecution(other, sharedTool.id, { topic: "x" });
    expect((await followEvents(other, execution.id)).at(-1)?.type).toBe("execution.completed");
    // The run belongs to whoever ran it: the tool's owner cannot see it.
    expect((await apiJson(`/api/executions/${execution.id}`, { user: owner })).status).toBe(404);
  });

  it("returns the same execution for a retried POST with the same Idempotency-Key, and runs it once", async () => {
    const user = newUser();
    const model = await scriptModel(streamOf("once"));
    const tool = await createToolFor(
      user,
      lessonPlanner(model, { prompts: [{ name: "p", position: 0, model, content: "{{topic}}" }] }),
    );
    const headers = { "Idempotency-Key": `key-${crypto.randomUUID()}` };
    const responses = await Promise.all(
      Array.from({ length: 4 }, () =>
        apiJson<CreatedExecution>("/api/executions", {
          user,
          body: { toolId: tool.id, inputs: { topic: "x" } },
          headers,
        }),
      ),
    );
    const ids = new Set(responses.map((response) => response.body.id));
    expect(ids.size).toBe(1);
    expect(responses.map((response) => response.status).sort()).toEqual([200, 200, 200, 201]);
    const [id] = [...ids];
    await followEvents(user, id!);
    expect(await upstreamRequests(model)).toHaveLength(1);
    const reused = await apiJson<ErrorJson>("/api/executions", {
      user,
      body: { toolId: tool.id, inputs: { topic: "different" } },
      headers,
    });
    expect(reused.status).toBe(409);
  });

  it("takes a retry whose JSON keys come in another order as the same request (canonical fingerprints)", async () => {
    const user = newUser();
    const model = await scriptModel(streamOf("once"));
    const tool = await createToolFor(
      user,
      lessonPlanner(model, { prompts: [{ name: "p", position: 0, model, content: "{{topic}} {{grade}}" }] }),
    );
    const headers = { "Idempotency-Key": `key-${crypto.randomUUID()}`, "Content-Type": "application/json" };
    const first = await apiJson<CreatedExecution>("/api/executions", {
      user,
      rawBody: `{"toolId":"${tool.id}","inputs":{"topic":"x","grade":"2"},"start":true}`,
      headers,
    });
    const reordered = await apiJson<CreatedExecution>("/api/executions", {
      user,
      rawBody: `{"start":true,"inputs":{"grade":"2","topic":"x"},"toolId":"${tool.id}"}`,
      headers,
    });
    expect([first.status, reordered.status]).toEqual([201, 200]);
    expect(reordered.body.id).toBe(first.body.id);
    await followEvents(user, first.body.id);
    expect(await upstreamRequests(model)).toHaveLength(1);
  });

  it("limits each user to MAX_CONCURRENT_EXECUTIONS under a burst, exactly, and frees the slot when one ends", async () => {
    const user = newUser();
    const model = await hanging();
    const tool = await createToolFor(
      user,
      lessonPlanner(model, { prompts: [{ name: "p", position: 0, model, content: "{{topic}}" }] }),
    );
    const burst = await Promise.all(
      Array.from({ length: 12 }, () =>
        apiJson<CreatedExecution | ErrorJson>("/api/executions", {
          user,
          body: { toolId: tool.id, inputs: { topic: "x" } },
        }),
      ),
    );
    const created = burst
      .filter((response) => response.status === 201)
      .map((response) => (response.body as CreatedExecution).id);
    const refused = burst.filter((response) => response.status === 429);
    expect(created).toHaveLength(5);
    expect(refused).toHaveLength(7);
    expect((refused[0]?.body as ErrorJson | undefined)?.error.code).toBe("too_many_executions");
    expect(refused[0]?.headers.get("Retry-After")).toMatch(/^\d+$/);

    // Another user is not affected.
    const other = newUser();
    const otherTool = await createToolFor(other, lessonPlanner(model));
    await startExecution(other, otherTool.id, { topic: "x" });

    await apiJson(`/api/executions/${created[0]}/cancel`, { user, method: "POST" });
    const again = await apiJson<CreatedExecution>("/api/executions", {
      user,
      body: { toolId: tool.id, inputs: { topic: "x" } },
    });
    expect(again.status).toBe(201);
    for (const id of [...created, again.body.id])
      await apiJson(`/api/executions/${id}/cancel`, { user, method: "POST" });
  });

  it("rate-limits execution creation per user with 429 rate_limited and Retry-After", async () => {
    const user = newUser();
    const tool = await createToolFor(
      user,
      lessonPlanner(await scriptModel(streamOf("fast")), {
        prompts: [{ name: "p", position: 0, model: "rate", content: "{{topic}}" }],
      }),
    );
    let limited: { status: number; body: ErrorJson; headers: Headers } | undefined;
    for (let i = 0; i < 80 && !limited; i++) {
      const response = await apiJson<ErrorJson>("/api/executions", {
        user,
        body: { toolId: tool.id, inputs: { topic: "x" } },
      });
      if (response.body.error?.code === "rate_limited") limited = response;
    }
    expect(limited?.status).toBe(429);
    expect(Number(limited?.headers.get("Retry-After"))).toBeGreaterThan(0);
    const other = newUser();
    const otherTool = await createToolFor(other, lessonPlanner("rate-other"));
    expect(
      (await apiJson("/api/executions", { user: other, body: { toolId: otherTool.id, inputs: { topic: "x" } } }))
        .status,
    ).toBe(201);
  });
});

describe("parallel prompts", () => {
  it("runs prompts sharing a position at the same time and keeps each output exact", async () => {
    const user = newUser();
    const slowA = await scriptModel(streamOf("alpha alpha alpha", 2, { chunkDelayMs: 15 }));
    const slowB = await scriptModel(streamOf("beta beta beta", 2, { chunkDelayMs: 15 }));
    const summary = await scriptModel(streamOf("summary"));
    const tool = await createToolFor(user, {
      name: "Parallel",
      inputFields: [{ name: "topic", label: "Topic", type: "text", required: true }],
      prompts: [
        { name: "a", position: 0, model: slowA, content: "A {{topic}}" },
        { name: "b", position: 0, model: slowB, content: "B {{topic}}" },
        { name: "c", position: 1, model: summary, content: "{{a}} + {{b}} + {{result_2}}" },
      ],
    });
    const execution = await startExecution(user, tool.id, { topic: "t" });
    const events = await followEvents(user, execution.id);
    const [a, b] = tool.prompts;
    const deltaOwners = events
      .filter((item) => item.type === "prompt.delta")
      .map((item) => (item.type === "prompt.delta" ? item.data.promptId : ""));
    const firstB = deltaOwners.indexOf(b!.id);
    const lastA = deltaOwners.lastIndexOf(a!.id);
    expect(firstB).toBeLessThan(lastA);
    const outputs = outputsOf(events);
    expect(outputs.get(a!.id)).toBe("alpha alpha alpha");
    expect(outputs.get(b!.id)).toBe("beta beta beta");
    const [summaryRequest] = await upstreamRequests(summary);
    expect(summaryRequest?.body.messages.at(-1)?.content).toBe("alpha alpha alpha + beta beta beta + beta beta beta");
  });
});

describe("reading executions", () => {
  it("lists the caller's executions newest first, filters by tool and status, and pages with a cursor", async () => {
    const user = newUser();
    const model = await scriptModel(streamOf("x"));
    const toolA = await createToolFor(user, lessonPlanner(model));
    const toolB = await createToolFor(user, lessonPlanner(model));
    const ids: string[] = [];
    for (const toolId of [toolA.id, toolB.id, toolA.id]) {
      const execution = await startExecution(user, toolId, { topic: "x" });
      await followEvents(user, execution.id);
      ids.push(execution.id);
    }
    type Page = { executions: { id: string; status: string }[]; nextCursor: string | null };
    const all = await apiJson<Page>("/api/executions", { user });
    expect(all.body.executions.map((item) => item.id)).toEqual([...ids].reverse());
    const byTool = await apiJson<Page>(`/api/executions?toolId=${toolA.id}&status=completed`, { user });
    expect(byTool.body.executions.map((item) => item.id)).toEqual([ids[2], ids[0]]);
    const first = await apiJson<Page>("/api/executions?limit=2", { user });
    expect(first.body.executions).toHaveLength(2);
    const second = await apiJson<Page>(
      `/api/executions?limit=2&cursor=${encodeURIComponent(first.body.nextCursor ?? "")}`,
      { user },
    );
    expect(second.body.executions.map((item) => item.id)).toEqual([ids[0]]);
    expect((await apiJson(`/api/executions?status=exploded`, { user })).status).toBe(400);
    expect((await apiJson(`/api/executions?cursor=%%%`, { user })).status).toBe(400);
  });

  it("returns the full record", async () => {
    const user = newUser();
    const tool = await createToolFor(
      user,
      lessonPlanner(await scriptModel(streamOf("out", 1, { usage: { prompt_tokens: 3, completion_tokens: 2 } }))),
    );
    const execution = await startExecution(user, tool.id, { topic: "x" });
    await followEvents(user, execution.id);
    const record = await getRecord(user, execution.id);
    expect(record).toMatchObject({ id: execution.id, status: "completed", error: null });
    expect(record.startedAt).not.toBeNull();
    expect(record.completedAt).not.toBeNull();
    expect(record.results[0]).toMatchObject({
      name: "outline",
      status: "completed",
      output: "out",
      usage: { inputTokens: 3, outputTokens: 2 },
    });
    expect(record.results[0]?.durationMs).toBeGreaterThanOrEqual(0);
  });

  it("hides another user's execution record and events as 404", async () => {
    const user = newUser();
    const tool = await createToolFor(user, lessonPlanner(await scriptModel(streamOf("x"))));
    const execution = await startExecution(user, tool.id, { topic: "x" });
    const other = newUser();
    expect((await apiJson(`/api/executions/${execution.id}`, { user: other })).status).toBe(404);
    expect((await api(`/api/executions/${execution.id}/events`, { user: other })).status).toBe(404);
    expect((await api(`/api/executions/${crypto.randomUUID()}/events`, { user })).status).toBe(404);
  });
});

describe("stream tokens", () => {
  it("authorise the events of their own execution without a header, as EventSource needs", async () => {
    const user = newUser();
    const tool = await createToolFor(user, lessonPlanner(await scriptModel(streamOf("token ok"))));
    const execution = await startExecution(user, tool.id, { topic: "x" });
    const response = await api(`${execution.eventsUrl}?token=${execution.streamToken}`);
    expect(response.status).toBe(200);
    const events = toEvents((await readSse(response)).messages);
    expect(events.at(-1)?.type).toBe("execution.completed");
  });

  it("do not open another execution's events, nor any other route", async () => {
    const user = newUser();
    const tool = await createToolFor(user, lessonPlanner(await scriptModel(streamOf("x"))));
    const first = await startExecution(user, tool.id, { topic: "x" });
    const second = await startExecution(user, tool.id, { topic: "y" });
    expect((await api(`${second.eventsUrl}?token=${first.streamToken}`)).status).toBe(401);
    expect((await api(`/api/executions/${first.id}?token=${first.streamToken}`)).status).toBe(401);
    expect((await api("/api/tools", { headers: { Authorization: `Bearer ${first.streamToken}` } })).status).toBe(401);
    expect((await api(`${first.eventsUrl}?token=garbage`)).status).toBe(401);
  });

  it("are not accepted when signed as an access token", async () => {
    const user = newUser();
    const tool = await createToolFor(user, lessonPlanner(await scriptModel(streamOf("x"))));
    const execution = await startExecution(user, tool.id, { topic: "x" });
    const accessToken = await tokenFor(user);
    expect((await api(`${execution.eventsUrl}?token=${accessToken}`)).status).toBe(401);
  });
});
