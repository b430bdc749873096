import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { createDb } from "../../src/db/client";
import { findPromptResults, insertExecutionWithinLimit } from "../../src/db/execution-queries";
import { ExecutionRecords } from "../../src/db/execution-records";
import type { PromptRow } from "../../src/db/schema";
import { MAX_PART_UNITS } from "../../src/lib/text-parts";
import { newUser } from "../helpers/auth";
import { type D1Outage, flakyD1 } from "../helpers/flaky-d1";
import { newExecution } from "../helpers/new-execution";
import { waitFor } from "../helpers/upstream";

const prompt = (id: string, ordinal: number, position: number): PromptRow => ({
  id,
  toolId: "tool",
  name: id,
  position,
  ordinal,
  model: "m",
  systemContext: null,
  content: "x",
  temperature: null,
  maxTokens: null,
});

async function seedExecution(prompts = [prompt("a", 1, 0), prompt("b", 2, 1), prompt("c", 3, 2)]) {
  const id = crypto.randomUUID();
  const outcome = await insertExecutionWithinLimit(createDb(env.DB), newExecution(newUser(), { id, prompts }), {
    maxConcurrent: 5,
    pendingTtlMs: 600_000,
  });
  expect(outcome).toBe("created");
  return id;
}

const state = async (executionId: string) => {
  const execution = await env.DB.prepare(
    "SELECT status, error, started_at, completed_at FROM tool_executions WHERE id = ?",
  )
    .bind(executionId)
    .first<Record<string, unknown>>();
  const results = await findPromptResults(createDb(env.DB), executionId);
  return { execution, results: results.map((result) => [result.promptId, result.status, result.output]) };
};

describe("ExecutionRecords", () => {
  it("records start, prompt ends and the end; unfinished prompts become skipped or the given status", async () => {
    const id = await seedExecution();
    const manager = new ExecutionRecords(createDb(env.DB), id);
    await manager.markPromptsRunning(["a"], 1_000);
    expect(await state(id)).toMatchObject({
      execution: { status: "running" },
      results: [
        ["a", "running", ""],
        ["b", "pending", ""],
        ["c", "pending", ""],
      ],
    });
    await manager.finishPrompt("a", {
      status: "completed",
      output: "A!",
      error: null,
      startedAt: 1_000,
      completedAt: 1_500,
      usage: { inputTokens: 3, outputTokens: 4 },
      attempts: 1,
      requestHash: null,
      costMicros: null,
      estimatedCostMicros: null,
      overshootMicros: null,
      reused: false,
    });
    await manager.markPromptsRunning(["b"], 1_600);
    await manager.finishExecution({ status: "canceled", error: null, completedAt: 2_000, endedRunningAs: "canceled" });
    const after = await state(id);
    expect(after.execution).toMatchObject({ status: "canceled", completed_at: 2_000, error: null });
    expect(after.results).toEqual([
      ["a", "completed", "A!"],
      ["b", "canceled", ""],
      ["c", "skipped", ""],
    ]);
    const [a] = await findPromptResults(createDb(env.DB), id);
    expect(a).toMatchObject({ durationMs: 500, inputTokens: 3, outputTokens: 4 });
  });

  it("retries a write that fails once, so a blip does not fail the run", async () => {
    const id = await seedExecution();
    const outage: D1Outage = { failWhen: /update "prompt_results"/i, failures: 0 };
    const manager = new ExecutionRecords(createDb(flakyD1(env.DB, outage)), id);
    const recovering = manager.finishPrompt("a", {
      status: "completed",
      output: "ok",
      error: null,
      startedAt: 1,
      completedAt: 2,
      usage: null,
      attempts: 1,
      requestHash: null,
      costMicros: null,
      estimatedCostMicros: null,
      overshootMicros: null,
      reused: false,
    });
    await waitFor(async () => outage.failures === 1, 2_000, "the first attempt to fail");
    outage.failWhen = null;
    await recovering;
    expect(outage.failures).toBe(1);
    expect((await state(id)).results[0]).toEqual(["a", "completed", "ok"]);
  });

  it("leaves prompts alone at the end when told none are open (one statement instead of two)", async () => {
    const id = await seedExecution([prompt("a", 1, 0)]);
    const manager = new ExecutionRecords(createDb(env.DB), id);
    await manager.finishExecution({
      status: "completed",
      error: null,
      completedAt: 5,
      endedRunningAs: "failed",
      promptsOpen: false,
    });
    expect(await state(id)).toMatchObject({
      execution: { status: "completed", completed_at: 5 },
      results: [["a", "pending", ""]],
    });
  });

  it("gives up after a few tries and reports the failure", async () => {
    const id = await seedExecution();
    const outage: D1Outage = { failWhen: /./, failures: 0 };
    const manager = new ExecutionRecords(createDb(flakyD1(env.DB, outage)), id);
    await expect(manager.markPromptsRunning(["a"], 1)).rejects.toThrow(/Failed query/);
    expect(outage.failures).toBe(4);
  });

  it("writes a whole snapshot at once, long outputs in parts, and can write it again", async () => {
    const id = await seedExecution([prompt("a", 1, 0), prompt("b", 2, 0)]);
    const manager = new ExecutionRecords(createDb(env.DB), id);
    const long = "y".repeat(MAX_PART_UNITS + 10);
    const snapshot = {
      status: "failed" as const,
      error: { code: "interrupted", message: "restarted" },
      startedAt: 10,
      completedAt: 20,
      costMicros: 0,
      prompts: [
        {
          promptId: "a",
          status: "failed" as const,
          output: long,
          error: { code: "interrupted", message: "restarted" },
          startedAt: 10,
          completedAt: 20,
          usage: null,
          attempts: 1,
          requestHash: null,
          costMicros: null,
          estimatedCostMicros: null,
          overshootMicros: null,
          reused: false,
        },
        {
          promptId: "b",
          status: "skipped" as const,
          output: "",
          error: null,
          startedAt: null,
          completedAt: 20,
          usage: null,
          attempts: 1,
          requestHash: null,
          costMicros: null,
          estimatedCostMicros: null,
          overshootMicros: null,
          reused: false,
        },
      ],
    };
    await manager.writeSnapshot(snapshot);
    await manager.writeSnapshot(snapshot);
    const after = await state(id);
    expect(after.execution).toMatchObject({ status: "failed", started_at: 10, completed_at: 20 });
    expect(after.results).toEqual([
      ["a", "failed", long],
      ["b", "skipped", ""],
    ]);
  });
});
