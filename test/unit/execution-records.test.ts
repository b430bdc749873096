// An execution's index in D1 as its object writes it: in one batch of upserts, so the start's index and
// the end's write (or its repair, again and again) leave exactly the newest record; previews and the
// R2 flag only (contents live in R2: inputs, input fields and request hashes too); spending entries per
// model; a row an earlier version wrote.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { createDb } from "../../src/db/client";
import { findOwnExecution, findPromptResults } from "../../src/db/execution-queries";
import {
  type ExecutionRecordWrite,
  type PromptRecordWrite,
  writeExecutionRecord,
} from "../../src/db/execution-records";
import { newUser } from "../helpers/auth";
import { type D1Outage, flakyD1 } from "../helpers/flaky-d1";

const db = () => createDb(env.DB);

const prompt = (promptId: string, ordinal: number, change: Partial<PromptRecordWrite> = {}): PromptRecordWrite => ({
  promptId,
  name: promptId,
  position: ordinal - 1,
  ordinal,
  model: "m",
  systemContext: null,
  content: `say ${promptId}`,
  temperature: null,
  maxTokens: null,
  tools: null,
  maxSteps: null,
  status: "pending",
  output: "",
  error: null,
  startedAt: null,
  completedAt: null,
  usage: null,
  costMicros: null,
  estimatedCostMicros: null,
  overshootMicros: null,
  attempts: 0,
  requestHash: null,
  reused: false,
  ...change,
});

function started(ownerId = newUser()): ExecutionRecordWrite {
  return {
    executionId: crypto.randomUUID(),
    header: {
      ownerId,
      toolId: "tool",
      toolName: "Tool",
      inputs: { topic: "t" },
      inputFields: [],
      onPromptError: "stop",
      idempotencyKey: null,
      requestFingerprint: null,
      sourceExecutionId: null,
      fromPromptId: null,
      toolBudgetMicros: null,
      budgetMicros: null,
      createdAt: 1_000,
    },
    recordKey: null,
    status: "running",
    error: null,
    costMicros: null,
    startedAt: 1_000,
    completedAt: null,
    prompts: [prompt("a", 1), prompt("b", 2)],
  };
}

const ended = (record: ExecutionRecordWrite, output: string): ExecutionRecordWrite => ({
  ...record,
  status: "completed",
  costMicros: 7,
  completedAt: 2_000,
  prompts: [
    prompt("a", 1, { status: "completed", output, startedAt: 1_100, completedAt: 1_500, attempts: 1, costMicros: 7 }),
    prompt("b", 2, { status: "skipped", completedAt: 2_000 }),
  ],
});

async function stored(record: ExecutionRecordWrite) {
  const execution = await findOwnExecution(db(), record.executionId, record.header?.ownerId ?? "");
  const results = await findPromptResults(db(), record.executionId);
  return { execution, results };
}

describe("writeExecutionRecord", () => {
  it("writes the start's index, then the end's over it; writing either again changes nothing", async () => {
    const record = started();
    await writeExecutionRecord(db(), record);
    const first = await stored(record);
    expect(first.execution).toMatchObject({
      status: "running",
      inputs: {},
      inputFields: null,
      inputsPreview: "topic: t",
      createdAt: 1_000,
      inR2: false,
    });
    expect(first.results.map((result) => [result.promptId, result.status])).toEqual([
      ["a", "pending"],
      ["b", "pending"],
    ]);
    const end = { ...ended(record, "answer"), recordKey: "records/x.json" };
    await writeExecutionRecord(db(), end);
    await writeExecutionRecord(db(), end);
    const last = await stored(record);
    expect(last.execution).toMatchObject({
      status: "completed",
      costMicros: 7,
      completedAt: 2_000,
      inR2: true,
    });
    expect(
      last.results.map((result) => [result.promptId, result.status, result.outputPreview, result.durationMs]),
    ).toEqual([
      ["a", "completed", "answer", 400],
      ["b", "skipped", null, null],
    ]);
  });

  it("keeps only the index in D1: previews and the R2 flag, never an output, a prompt's text, inputs, input fields or a request hash", async () => {
    const record = { ...started(), recordKey: "records/y.json" };
    const fields = [{ name: "notes", label: "Notes", type: "text" as const, required: false, options: null }];
    const big = {
      ...record,
      header: record.header && { ...record.header, inputs: { notes: "n".repeat(2000) }, inputFields: fields },
    };
    const long = "é".repeat(1000);
    const end = ended(big, long);
    end.prompts = end.prompts.map((prompt) => ({ ...prompt, requestHash: "f".repeat(64) }));
    await writeExecutionRecord(db(), end);
    const { execution, results } = await stored(big);
    expect(execution).toMatchObject({
      inputs: {},
      inputFields: null,
      inputsPreview: expect.stringMatching(/^Notes: n+…$/),
    });
    expect(results[0]).toMatchObject({
      output: "",
      content: null,
      systemContext: null,
      requestHash: null,
      outputPreview: "é".repeat(280),
    });
    const raw = await env.DB.prepare("SELECT * FROM tool_executions WHERE id = ?").bind(big.executionId).first();
    expect(Object.keys(raw ?? {})).not.toContain("output_preview");
    expect(Object.keys(raw ?? {})).not.toContain("record_key");
  });

  it("takes a row's inputs out of D1 when a run an earlier version started (its header in D1) ends", async () => {
    const record = started();
    await writeExecutionRecord(db(), record);
    await env.DB.prepare("UPDATE tool_executions SET inputs = ?, input_fields = '[]' WHERE id = ?")
      .bind(JSON.stringify({ topic: "t" }), record.executionId)
      .run();
    await writeExecutionRecord(db(), { ...ended(record, "done"), recordKey: "records/z.json" });
    expect((await stored(record)).execution).toMatchObject({ inputs: {}, inputFields: null, inR2: true });
  });

  it("writes the whole end even when the start's index never landed (a repair after D1 was down)", async () => {
    const record = started();
    await writeExecutionRecord(db(), ended(record, "late"));
    expect((await stored(record)).execution).toMatchObject({ status: "completed", toolName: "Tool" });
  });

  it("writes one spending entry per model with its prompts' tokens and cost, kept apart from the record", async () => {
    const record = started();
    const end = ended(record, "x");
    end.prompts = [
      prompt("a", 1, { model: "m1", status: "completed", usage: { inputTokens: 3, outputTokens: 4 }, costMicros: 5 }),
      prompt("b", 2, { model: "m1", status: "completed", usage: { inputTokens: 1, outputTokens: 1 }, costMicros: 2 }),
      prompt("c", 3, { model: "m2", status: "skipped" }),
    ];
    await writeExecutionRecord(db(), end);
    const entries = await env.DB.prepare(
      "SELECT model, input_tokens AS i, output_tokens AS o, cost_micros AS c, status, day FROM spending_entries WHERE execution_id = ? ORDER BY model",
    )
      .bind(record.executionId)
      .all();
    expect(entries.results).toEqual([
      { model: "m1", i: 4, o: 5, c: 7, status: "completed", day: 0 },
      { model: "m2", i: 0, o: 0, c: 0, status: "completed", day: 0 },
    ]);
  });

  it("updates only the run's own columns of a row an earlier version wrote (no header)", async () => {
    const record = started();
    await writeExecutionRecord(db(), record);
    // An earlier version kept the inputs in D1: a run it started (no header in its plan) keeps them there.
    await env.DB.prepare("UPDATE tool_executions SET inputs = ? WHERE id = ?")
      .bind(JSON.stringify({ topic: "t" }), record.executionId)
      .run();
    await writeExecutionRecord(db(), { ...ended(record, "done"), header: null });
    expect((await stored(record)).execution).toMatchObject({ status: "completed", inputs: { topic: "t" } });
  });

  it("fails as a whole when D1 fails (nothing half written), after a few tries", async () => {
    const record = started();
    const outage: D1Outage = { failWhen: /insert into "prompt_results"/i, failures: 0 };
    await expect(writeExecutionRecord(createDb(flakyD1(env.DB, outage)), record)).rejects.toThrow(/D1_ERROR/);
    expect(outage.failures).toBe(4);
    expect((await stored(record)).execution).toBeUndefined();
  });
});
