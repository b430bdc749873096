// Outputs live in R2 (SPEC §13): a 3 MB output, Unicode past the Basic Multilingual Plane and an empty
// output come back whole from the record, the replay from records (the object's log past retention) and
// a rerun's reused prompts, while D1 keeps only previews (280 code points). R2 failing on write fails
// no run and is repaired like a D1 outage; an object missing on read is a clear error in the record.
import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { recordKey } from "../../src/db/record-blobs";
import { EVENT_LOG_RETENTION_MS, type ExecutionSession } from "../../src/durable/execution-session";
import { api, apiJson } from "../helpers/api";
import { newUser } from "../helpers/auth";
import { createToolFor, followEvents, getRecord } from "../helpers/executions";
import { seedEndedExecutions } from "../helpers/seed-records";
import { advanceClock, sessionStub } from "../helpers/session";
import { readSse } from "../helpers/sse";
import { scriptModel, streamOf, upstreamRequests, waitFor } from "../helpers/upstream";

const BIG = "Ω".repeat(1_500_000); // 3,000,000 bytes of UTF-8
const UNICODE = `🌱 Plants — ${"ünïcödé 🌍 ".repeat(40)}`;

/** What D1 keeps of an execution: whether R2 holds it, and its last prompt's preview (what the list shows). */
const indexedRow = (id: string) =>
  env.DB.prepare(
    `SELECT status, in_r2 AS inR2, (SELECT output_preview FROM prompt_results WHERE execution_id = e.id
      AND output_preview IS NOT NULL ORDER BY position DESC, ordinal DESC LIMIT 1) AS preview
     FROM tool_executions e WHERE id = ?`,
  )
    .bind(id)
    .first<{ status: string; inR2: number; preview: string | null }>();

/** Replays the events and puts each prompt's deltas together (what a client following them would show). */
async function replayedOutputs(user: string, id: string): Promise<Record<string, string>> {
  const outputs: Record<string, string> = {};
  for (const event of await followEvents(user, id)) {
    if (event.type === "prompt.delta")
      outputs[event.data.promptId] = (outputs[event.data.promptId] ?? "") + event.data.delta;
    if (event.type === "prompt.completed") outputs[event.data.promptId] = event.data.output;
  }
  return outputs;
}

describe("outputs in R2", () => {
  it("round-trip a 3 MB, a Unicode and an empty output through the record, the list, the replay and a rerun", async () => {
    const user = newUser();
    const models = [
      await scriptModel(streamOf(BIG, 65_536)),
      await scriptModel(streamOf(UNICODE, 7)),
      await scriptModel({ kind: "stream", chunks: [] }, { kind: "stream", chunks: [] }),
    ];
    const tool = await createToolFor(user, {
      name: "Round trip",
      inputFields: [],
      prompts: models.map((model, position) => ({
        name: `p${position}`,
        position,
        model,
        content: `step ${position}`,
      })),
    });
    const created = await apiJson<{ id: string }>("/api/executions", { user, body: { toolId: tool.id, inputs: {} } });
    const id = created.body.id;
    await followEvents(user, id);
    await waitFor(async () => (await indexedRow(id))?.inR2, 10_000, "the whole record in D1");

    const expected = [BIG, UNICODE, ""];
    expect((await getRecord(user, id)).results.map((result) => result.output)).toEqual(expected);
    // D1 holds previews only: the list shows the last prompt with output, cut at 280 code points.
    const row = await indexedRow(id);
    expect(row?.preview).toBe(Array.from(UNICODE).slice(0, 280).join(""));
    const list = await apiJson<{ executions: { id: string; outputPreview: string }[] }>("/api/executions", { user });
    expect(list.body.executions.find((item) => item.id === id)?.outputPreview).toBe(row?.preview);
    const stored = await env.DB.prepare("SELECT length(output) AS n FROM prompt_results WHERE execution_id = ?")
      .bind(id)
      .all<{ n: number }>();
    expect(stored.results.map((result) => result.n)).toEqual([0, 0, 0]);

    // The object lets go of its log: the replay is rebuilt from D1 and R2.
    const stub = sessionStub(id);
    await runInDurableObject(stub, (instance: ExecutionSession) => advanceClock(instance, EVENT_LOG_RETENTION_MS + 1));
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    const replayed = await replayedOutputs(user, id);
    expect(tool.prompts.map((prompt) => replayed[prompt.id] ?? "")).toEqual(expected);
    expect((await getRecord(user, id)).results.map((result) => result.output)).toEqual(expected);

    // A rerun from the last step reuses the first two from R2 without asking their models again.
    const asked = (await upstreamRequests(models[0] as string)).length;
    const rerun = await apiJson<{ id: string }>(`/api/executions/${id}/rerun`, {
      user,
      body: { fromPromptId: tool.prompts[2]?.id },
    });
    expect(rerun.status).toBe(201);
    await followEvents(user, rerun.body.id);
    expect((await getRecord(user, rerun.body.id)).results.map((result) => result.output)).toEqual(expected);
    expect((await upstreamRequests(models[0] as string)).length).toBe(asked);
  });

  it("R2 failing on write fails no run; the record is repaired from the alarm like a D1 outage", async () => {
    const user = newUser();
    const tool = await createToolFor(user, {
      name: "R2 outage",
      inputFields: [],
      prompts: [{ name: "only", position: 0, model: await scriptModel(streamOf("kept whole")), content: "x" }],
    });
    const { body } = await apiJson<{ id: string }>("/api/executions", {
      user,
      body: { toolId: tool.id, inputs: {}, start: false },
    });
    const outage = { down: true, failures: 0 };
    const flaky = new Proxy(env.OUTPUTS, {
      get(target, prop) {
        if (prop === "put" && outage.down)
          return () => {
            outage.failures++;
            return Promise.reject(new Error("R2 unavailable (simulated outage)"));
          };
        const value = Reflect.get(target, prop);
        return typeof value === "function" ? value.bind(target) : value;
      },
    });
    const stub = sessionStub(body.id);
    await runInDurableObject(stub, (instance: ExecutionSession) => instance.internals().useBucket(flaky));

    const read = await readSse(
      await api("/api/assistant-architect/stream", { user, body: { toolId: tool.id, executionId: body.id } }),
    );
    expect(JSON.parse(read.messages.at(-1)?.data ?? "{}")).toEqual({ type: "complete", executionId: body.id });
    expect(outage.failures).toBeGreaterThan(0);
    // The run completed; its record is served whole by its object meanwhile; D1 has not taken the end.
    expect((await getRecord(user, body.id)).results[0]?.output).toBe("kept whole");
    expect((await indexedRow(body.id))?.inR2).toBe(0);

    outage.down = false;
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    expect(await indexedRow(body.id)).toMatchObject({ status: "completed", inR2: 1 });
    await runInDurableObject(stub, (instance: ExecutionSession) => advanceClock(instance, EVENT_LOG_RETENTION_MS + 1));
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    expect((await getRecord(user, body.id)).results[0]?.output).toBe("kept whole");
  });

  it("keeps an ended run's inputs, input fields and request hashes in R2 only: the record, search, export and a rerun's reuse get them back", async () => {
    const user = newUser();
    const first = await scriptModel(streamOf("an outline", 3));
    const second = await scriptModel(streamOf("a lesson", 3));
    const tool = await createToolFor(user, {
      name: "Inputs in R2",
      inputFields: [
        { name: "topic", label: "Topic", type: "text", required: true },
        { name: "grade", label: "Grade", type: "select", options: ["1", "2"] },
      ],
      prompts: [
        { name: "outline", position: 0, model: first, content: "Outline {{topic}}" },
        { name: "lesson", position: 1, model: second, content: "Lesson from {{outline}} for {{grade}}" },
      ],
    });
    const inputs = { topic: "photosynthesis", grade: "2" };
    const created = await apiJson<{ id: string }>("/api/executions", { user, body: { toolId: tool.id, inputs } });
    const id = created.body.id;
    await followEvents(user, id);
    await waitFor(async () => (await indexedRow(id))?.inR2, 10_000, "the whole record in D1");
    // D1 keeps the inputs' preview line only; no input fields, no request hash.
    const raw = await env.DB.prepare(
      "SELECT inputs, input_fields AS fields, inputs_preview AS preview FROM tool_executions WHERE id = ?",
    )
      .bind(id)
      .first<{ inputs: string; fields: string | null; preview: string }>();
    expect(raw).toEqual({ inputs: "{}", fields: null, preview: "Topic: photosynthesis · Grade: 2" });
    const hashes = await env.DB.prepare("SELECT request_hash AS h FROM prompt_results WHERE execution_id = ?")
      .bind(id)
      .all<{ h: string | null }>();
    expect(hashes.results).toEqual([{ h: null }, { h: null }]);

    // The object lets go: every read below is D1's index with R2's contents.
    const stub = sessionStub(id);
    await runInDurableObject(stub, (instance: ExecutionSession) => advanceClock(instance, EVENT_LOG_RETENTION_MS + 1));
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    const record = await apiJson<{
      inputs: unknown;
      inputFields: { name: string; label: string }[];
      outputPreview: string;
    }>(`/api/executions/${id}`, { user });
    expect(record.body.inputs).toEqual(inputs);
    expect(record.body.inputFields.map((field) => [field.name, field.label])).toEqual([
      ["topic", "Topic"],
      ["grade", "Grade"],
    ]);
    expect(record.body.outputPreview).toBe("a lesson");
    const found = await apiJson<{ executions: { id: string; outputPreview: string }[] }>("/api/executions?q=PHOTOSYN", {
      user,
    });
    expect(found.body.executions.map((item) => [item.id, item.outputPreview])).toEqual([[id, "a lesson"]]);
    const exported = await api("/api/me/export", { user });
    const line = (await exported.text())
      .split("\n")
      .filter(Boolean)
      .map((text) => JSON.parse(text) as { type: string; id?: string; inputs?: unknown })
      .find((item) => item.type === "execution" && item.id === id);
    expect(line?.inputs).toEqual(inputs);

    // A rerun of the last step with the same inputs reuses the first: its request hash came from R2.
    const rerun = await apiJson<{ id: string }>(`/api/executions/${id}/rerun`, {
      user,
      body: { fromPromptId: tool.prompts[1]?.id },
    });
    expect(rerun.status).toBe(201);
    await followEvents(user, rerun.body.id);
    const again = await apiJson<{ inputs: unknown; results: { reused: boolean; output: string }[] }>(
      `/api/executions/${rerun.body.id}`,
      { user },
    );
    expect(again.body.inputs).toEqual(inputs);
    expect(again.body.results.map((result) => [result.output, result.reused])).toEqual([
      ["an outline", true],
      ["a lesson", false],
    ]);
    expect(await upstreamRequests(first)).toHaveLength(1);
  });

  it("answers a record whose R2 object is missing with a clear error in it, never a 500", async () => {
    const user = newUser();
    const [id] = (await seedEndedExecutions(user, 1)) as [string];
    expect((await indexedRow(id))?.inR2).toBe(1);
    await env.OUTPUTS.delete(recordKey(user, id));
    const { status, body } = await apiJson<{
      outputsError: { code: string; message: string };
      results: { output: string }[];
    }>(`/api/executions/${id}`, { user });
    expect(status).toBe(200);
    expect(body.outputsError).toEqual({ code: "outputs_missing", message: expect.stringMatching(/missing/) });
    expect(body.results.map((result) => result.output)).toEqual(["", ""]);
    const list = await apiJson<{ executions: { id: string }[] }>("/api/executions", { user });
    expect(list.body.executions.map((item) => item.id)).toContain(id);
  });
});
