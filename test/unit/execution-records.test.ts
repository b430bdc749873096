// An execution's record in D1 as its object writes it: whole, in one batch of upserts, so the start's
// index and the end's write (or its repair, again and again) land in any order of retries and leave
// exactly the newest record; long outputs in bounded parts; a run from an earlier version (no header).
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { createDb } from "../../src/db/client";
import { findOwnExecution, findPromptResults } from "../../src/db/execution-queries";
import {
  type ExecutionRecordWrite,
  type PromptRecordWrite,
  writeExecutionRecord,
} from "../../src/db/execution-records";
import { MAX_PART_UNITS } from "../../src/lib/text-parts";
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
  it("writes the start's index, then the whole end over it; writing either again changes nothing", async () => {
    const record = started();
    await writeExecutionRecord(db(), record);
    const first = await stored(record);
    expect(first.execution).toMatchObject({ status: "running", inputs: { topic: "t" }, createdAt: 1_000 });
    expect(first.results.map((result) => [result.promptId, result.status, result.content])).toEqual([
      ["a", "pending", "say a"],
      ["b", "pending", "say b"],
    ]);
    const end = ended(record, "answer");
    await writeExecutionRecord(db(), end);
    await writeExecutionRecord(db(), end);
    const last = await stored(record);
    expect(last.execution).toMatchObject({ status: "completed", costMicros: 7, completedAt: 2_000 });
    expect(last.results.map((result) => [result.promptId, result.status, result.output, result.durationMs])).toEqual([
      ["a", "completed", "answer", 400],
      ["b", "skipped", "", null],
    ]);
  });

  it("writes the whole end even when the start's index never landed (a repair after D1 was down)", async () => {
    const record = started();
    await writeExecutionRecord(db(), ended(record, "late"));
    expect((await stored(record)).execution).toMatchObject({ status: "completed", toolName: "Tool" });
  });

  it("keeps an output over one part's size in bounded parts, whole when read", async () => {
    const record = started();
    const long = "é".repeat(MAX_PART_UNITS * 2 + 7);
    await writeExecutionRecord(db(), ended(record, long));
    const [a] = (await stored(record)).results;
    expect(a?.output).toBe(long);
    const parts = await env.DB.prepare("SELECT count(*) AS n FROM prompt_output_parts WHERE execution_id = ?")
      .bind(record.executionId)
      .first<{ n: number }>();
    expect(parts?.n).toBe(2);
  });

  it("updates only the run's own columns of a row an earlier version wrote (no header)", async () => {
    const record = started();
    await writeExecutionRecord(db(), record);
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
