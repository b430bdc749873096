// Ended executions written straight into D1 and R2 by the same writers a run uses (no API, no rate
// limit), for tests of deletion, export and retention at volume.
import { env } from "cloudflare:workers";
import { createDb } from "../../src/db/client";
import { type PromptRecordWrite, writeExecutionRecord } from "../../src/db/execution-records";
import { putRecordBlob, recordKey } from "../../src/db/record-blobs";
import type { FieldSnapshot } from "../../src/db/schema";

export interface SeedOptions {
  /** When the first was created; each next one a millisecond later. */
  createdAt?: number;
  /** How long after its creation each ended. */
  ranMs?: number;
  outputs?: (index: number) => [string, string];
  toolId?: string;
}

const prompt = (promptId: string, ordinal: number, output: string, at: number): PromptRecordWrite => ({
  promptId,
  name: promptId,
  position: ordinal - 1,
  ordinal,
  model: "demo",
  systemContext: null,
  content: `Write ${promptId} about {{topic}}`,
  temperature: null,
  maxTokens: null,
  tools: null,
  maxSteps: null,
  status: "completed",
  output,
  error: null,
  startedAt: at,
  completedAt: at,
  usage: { inputTokens: 3, outputTokens: 5 },
  costMicros: 11,
  estimatedCostMicros: 11,
  overshootMicros: null,
  attempts: 1,
  requestHash: null,
  reused: false,
});

/** Writes `count` completed two-prompt executions of `ownerId`; answers their ids, oldest first. */
export async function seedEndedExecutions(
  ownerId: string,
  count: number,
  options: SeedOptions = {},
): Promise<string[]> {
  const db = createDb(env.DB);
  const start = options.createdAt ?? Date.now() - count;
  const ranMs = options.ranMs ?? 1;
  const ids = Array.from({ length: count }, () => crypto.randomUUID());
  const seed = async (id: string, index: number) => {
    const createdAt = start + index;
    const endedAt = createdAt + ranMs;
    const [outline, lesson] = options.outputs?.(index) ?? [`Outline ${index}`, `Lesson ${index} ✓`];
    const key = recordKey(ownerId, id);
    const prompts = [prompt("outline", 1, outline, endedAt), prompt("lesson", 2, lesson, endedAt)];
    const inputFields: FieldSnapshot[] = [
      { name: "topic", label: "Topic", type: "text", required: true, options: null },
    ];
    // As the run's object writes it (durable/run-records.ts): inputs, fields and request hashes in R2.
    await putRecordBlob(env.OUTPUTS, key, {
      version: 1,
      inputs: { topic: `topic ${index}` },
      inputFields,
      prompts: Object.fromEntries(
        prompts.map((p) => [
          p.promptId,
          { systemContext: null, content: p.content, output: p.output, requestHash: p.requestHash },
        ]),
      ),
    });
    await writeExecutionRecord(db, {
      executionId: id,
      header: {
        ownerId,
        toolId: options.toolId ?? "seeded-tool",
        toolName: "Seeded",
        inputs: { topic: `topic ${index}` },
        inputFields,
        onPromptError: "stop",
        idempotencyKey: null,
        requestFingerprint: null,
        sourceExecutionId: null,
        fromPromptId: null,
        toolBudgetMicros: null,
        budgetMicros: null,
        createdAt,
      },
      recordKey: key,
      status: "completed",
      error: null,
      costMicros: 22,
      startedAt: createdAt,
      completedAt: endedAt,
      prompts,
    });
  };
  for (let at = 0; at < count; at += 50) await Promise.all(ids.slice(at, at + 50).map((id, i) => seed(id, at + i)));
  return ids;
}

/** How many rows of `ownerId` each table holds (tool_executions, prompt_results, spending_entries). */
export async function rowsOf(ownerId: string): Promise<{ executions: number; results: number; spending: number }> {
  const count = async (query: string) => (await env.DB.prepare(query).bind(ownerId).first<{ n: number }>())?.n ?? 0;
  return {
    executions: await count("SELECT count(*) AS n FROM tool_executions WHERE owner_id = ?"),
    results: await count(
      "SELECT count(*) AS n FROM prompt_results WHERE execution_id IN (SELECT id FROM tool_executions WHERE owner_id = ?)",
    ),
    spending: await count("SELECT count(*) AS n FROM spending_entries WHERE owner_id = ?"),
  };
}

/** The R2 keys under the owner's prefix. */
export async function blobKeysOf(ownerId: string): Promise<string[]> {
  const listed = await env.OUTPUTS.list({ prefix: `records/${encodeURIComponent(ownerId)}/` });
  return listed.objects.map((object) => object.key);
}
