// Draft runs (SPEC §5, the editor's "Try it"): POST /api/executions with a tool body instead of a toolId
// runs it unsaved, checked exactly as a save checks it; its record, list item, events and reruns carry
// toolId null and the draft's name.
import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { EVENT_LOG_RETENTION_MS, type ExecutionSession } from "../../src/durable/execution-session";
import { replayFromRecords } from "../../src/events/replay";
import { apiJson, type ErrorJson } from "../helpers/api";
import { newUser } from "../helpers/auth";
import { type CreatedExecution, createToolFor, followEvents, getRecord, startExecution } from "../helpers/executions";
import { advanceClock, sessionStub } from "../helpers/session";
import { readSse, toEvents } from "../helpers/sse";
import { lessonPlanner } from "../helpers/tools";
import { scriptModel, streamOf, upstreamRequests, waitFor } from "../helpers/upstream";

async function runDraft(user: string, body: Record<string, unknown>, headers: Record<string, string> = {}) {
  return apiJson<CreatedExecution & ErrorJson>("/api/executions", { user, body, headers });
}

describe("a draft run", () => {
  it("runs an unsaved tool body to the end; its record has toolId null and the draft's name; nothing is saved", async () => {
    const user = newUser();
    const model = await scriptModel(streamOf("drafted"));
    const draft = { ...lessonPlanner(model), name: "Unsaved planner" };
    const created = await runDraft(user, { draft, inputs: { topic: "tides" } });
    expect(created.status).toBe(201);
    const events = await followEvents(user, created.body.id);
    expect(events[0]).toMatchObject({
      type: "execution.started",
      data: { toolId: null, toolName: "Unsaved planner", prompts: [{ name: "outline" }, { name: "lesson" }] },
    });
    expect(events.at(-1)?.type).toBe("execution.completed");
    const record = await apiJson<{ toolId: string | null; toolName: string; inputFields: { label: string }[] }>(
      `/api/executions/${created.body.id}`,
      { user },
    );
    expect(record.body).toMatchObject({ toolId: null, toolName: "Unsaved planner", status: "completed" });
    expect(record.body.inputFields.map((field) => field.label)).toEqual(["Topic", "Grade"]);
    // The prompts ran as written, templates filled from the draft's fields.
    const [first] = await upstreamRequests(model);
    expect(JSON.stringify(first?.body)).toContain("Outline a lesson on tides for grade .");
    const list = await apiJson<{ executions: { id: string; toolId: string | null; toolName: string }[] }>(
      "/api/executions",
      { user },
    );
    expect(list.body.executions).toEqual([
      expect.objectContaining({ id: created.body.id, toolId: null, toolName: "Unsaved planner" }),
    ]);
    const tools = await apiJson<{ tools: unknown[] }>("/api/tools?scope=mine", { user });
    expect(tools.body.tools).toEqual([]);
    // D1 indexes it too (no tool id stored as such), and reads it back as toolId null once the object let go.
    await waitFor(
      () =>
        env.DB.prepare("SELECT in_r2 FROM tool_executions WHERE id = ?")
          .bind(created.body.id)
          .first<{ in_r2: number }>()
          .then((row) => row?.in_r2),
      5_000,
      "the draft run's record in D1",
    );
    const stub = sessionStub(created.body.id);
    await runInDurableObject(stub, (instance: ExecutionSession) => advanceClock(instance, EVENT_LOG_RETENTION_MS + 1));
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    const fromD1 = await apiJson<{ toolId: string | null }>(`/api/executions/${created.body.id}`, { user });
    expect(fromD1.body).toMatchObject({ toolId: null, toolName: "Unsaved planner", status: "completed" });
  });

  it("is checked exactly as a save is: the same problems, named under draft.", async () => {
    const user = newUser();
    const model = await scriptModel(streamOf("never"));
    const broken = lessonPlanner(model, {
      prompts: [
        { name: "outline", position: 0, model, content: "About {{subject}}" },
        { name: "outline", position: 1, model, content: "Again {{outline}}" },
      ],
    });
    const saved = await apiJson<ErrorJson>("/api/tools", { user, body: broken });
    const drafted = await runDraft(user, { draft: broken, inputs: { topic: "x" } });
    expect(saved.status).toBe(400);
    expect(drafted.status).toBe(400);
    expect(drafted.body.error.details?.fields).toEqual(
      saved.body.error.details?.fields?.map((field) => ({ ...field, path: `draft.${field.path}` })),
    );
    expect(drafted.body.error.message).toBe(saved.body.error.message.replace(/^Invalid tool/, "Invalid draft"));
    // Field by field (zod) too, and a budget with a model that has no price.
    const noPrompts = await runDraft(user, { draft: { ...broken, prompts: [] }, inputs: {} });
    expect(noPrompts.status).toBe(400);
    expect(noPrompts.body.error.details?.fields?.[0]?.path).toBe("draft.prompts");
    const budgeted = await runDraft(user, {
      draft: { ...lessonPlanner(model), budget: { maxCostMicros: 1000 } },
      inputs: { topic: "x" },
    });
    expect(budgeted.status).toBe(400);
    expect(budgeted.body.error.details?.fields?.[0]?.path).toBe("draft.prompts.0.model");
    expect(await upstreamRequests(model)).toEqual([]);
  });

  it("validates the inputs against the draft's own fields", async () => {
    const user = newUser();
    const draft = lessonPlanner(await scriptModel(streamOf("x")));
    const missing = await runDraft(user, { draft, inputs: { grade: "Z" } });
    expect(missing.status).toBe(400);
    expect(missing.body.error.details?.fields?.map((field) => field.path).sort()).toEqual([
      "inputs.grade",
      "inputs.topic",
    ]);
  });

  it("takes toolId or draft, never both and never neither, and a draft always starts", async () => {
    const user = newUser();
    const model = await scriptModel(streamOf("x"));
    const tool = await createToolFor(user, lessonPlanner(model));
    for (const body of [
      { toolId: tool.id, draft: lessonPlanner(model), inputs: { topic: "x" } },
      { inputs: { topic: "x" } },
    ]) {
      const refused = await runDraft(user, body);
      expect(refused.status).toBe(400);
      expect(refused.body.error.details?.fields?.[0]).toMatchObject({ path: "toolId" });
      expect(refused.body.error.details?.fields?.[0]?.message).toMatch(/toolId.*draft/);
    }
    const pending = await runDraft(user, { draft: lessonPlanner(model), inputs: { topic: "x" }, start: false });
    expect(pending.status).toBe(400);
    expect(pending.body.error.details?.fields?.[0]?.path).toBe("start");
  });

  it("returns the same execution for a retried POST with the same Idempotency-Key", async () => {
    const user = newUser();
    const model = await scriptModel(streamOf("once"));
    const body = { draft: lessonPlanner(model), inputs: { topic: "x" } };
    const headers = { "Idempotency-Key": `draft-${crypto.randomUUID()}` };
    const first = await runDraft(user, body, headers);
    const again = await runDraft(user, body, headers);
    expect(first.status).toBe(201);
    expect(again.status).toBe(200);
    expect(again.body.id).toBe(first.body.id);
    await followEvents(user, first.body.id);
    expect(await upstreamRequests(model)).toHaveLength(2);
  });

  it("can be rerun from a step (still without a tool), and is not a tool the original endpoint can attach to", async () => {
    const user = newUser();
    const model = await scriptModel(streamOf("same"));
    const created = await runDraft(user, { draft: lessonPlanner(model), inputs: { topic: "x" } });
    await followEvents(user, created.body.id);
    const source = await getRecord(user, created.body.id);
    const lesson = source.results[1]?.promptId ?? "";
    const rerun = await apiJson<CreatedExecution>(`/api/executions/${created.body.id}/rerun`, {
      user,
      body: { fromPromptId: lesson, prompts: { [lesson]: { content: "Shorter: {{outline}}" } } },
    });
    expect(rerun.status).toBe(201);
    const events = await followEvents(user, rerun.body.id);
    expect(events[0]?.data).toMatchObject({ toolId: null, sourceExecutionId: created.body.id });
    expect(events.at(-1)?.type).toBe("execution.completed");
    const tool = await createToolFor(user, lessonPlanner(model));
    const attached = await apiJson<ErrorJson>("/api/assistant-architect/stream", {
      user,
      body: { toolId: tool.id, executionId: created.body.id },
    });
    expect(attached.status).toBe(400);
    // A saved tool's run still names its tool.
    const saved = await startExecution(user, tool.id, { topic: "x" });
    expect((await followEvents(user, saved.id))[0]?.data).toMatchObject({ toolId: tool.id });
  });

  it("replays from its D1 records with toolId null (after the event log's retention)", async () => {
    const replayed = replayFromRecords(
      {
        id: "e1",
        toolId: null,
        toolName: "Draft",
        status: "completed",
        error: null,
        createdAt: 1,
        startedAt: 1,
        completedAt: 2,
        costMicros: null,
        sourceExecutionId: null,
        fromPromptId: null,
      },
      [],
      0,
      "events",
    );
    const [started] = toEvents((await readSse(new Response(replayed))).messages);
    expect(started).toMatchObject({ type: "execution.started", data: { toolId: null, toolName: "Draft" } });
  });
});
