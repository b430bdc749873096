// Bench-only routes for records at volume (mounted under /bench by the bench Worker, on the raw
// bindings: nothing here is delayed or counted). Seeds ended executions with the writers a run uses
// (`putRecordBlob`, then `writeExecutionRecord`: no API, no rate limit), and reads back what the
// records cost and whether a user's deletion is done: D1 rows, R2 objects and bytes, the account.
import { Hono } from "hono";
import { createDb } from "../../src/db/client";
import { type PromptRecordWrite, writeExecutionRecord } from "../../src/db/execution-records";
import { ownerPrefix, putRecordBlob, recordKey } from "../../src/db/record-blobs";
import type { FieldSnapshot } from "../../src/db/schema";

/** Executions written at once by one seed request (each is one R2 put and one D1 batch). */
const SEED_AT_ONCE = 50;

export interface SeedRequest {
  ownerId: string;
  count: number;
  /** When the first was created (ms); each next one a millisecond later. */
  firstCreatedAt: number;
  /** How long after its creation each ended. */
  ranMs: number;
  /** Characters of each prompt's output (the record's three prompts). */
  outputChars: number;
}

/** What D1 and R2 hold of the records: all of them, or one owner's. */
export interface RecordsState {
  executions: number;
  /** Executions whose record is complete (their contents in R2, `in_r2` set). */
  withKey: number;
  promptResults: number;
  r2Objects: number;
  r2Bytes: number;
  /** With `owner`: whether their account still has deletion work (UserAccount.deletionPending). */
  deletionPending: boolean | null;
}

const PROMPTS = ["outline", "draft", "lesson"] as const;

function prompts(index: number, chars: number, at: number): PromptRecordWrite[] {
  return PROMPTS.map((promptId, i) => ({
    promptId,
    name: promptId,
    position: i,
    ordinal: i + 1,
    model: "demo",
    systemContext: null,
    content: `Write the ${promptId} for run ${index} from {{notes}}`,
    temperature: null,
    maxTokens: null,
    status: "completed",
    output: `${promptId} ${index} `.padEnd(chars, "lorem ipsum "),
    error: null,
    startedAt: at,
    completedAt: at,
    usage: { inputTokens: 300, outputTokens: Math.ceil(chars / 4) },
    costMicros: 0,
    estimatedCostMicros: 0,
    overshootMicros: null,
    attempts: 1,
    requestHash: null,
    reused: false,
    tools: null,
    maxSteps: null,
  }));
}

async function seed(env: Env, request: SeedRequest): Promise<number> {
  const db = createDb(env.DB);
  const one = async (index: number) => {
    const id = crypto.randomUUID();
    const createdAt = request.firstCreatedAt + index;
    const endedAt = createdAt + request.ranMs;
    const inputs = { topic: `topic ${index}`, notes: "n".repeat(400) };
    const written = prompts(index, request.outputChars, endedAt);
    const key = recordKey(request.ownerId, id);
    const inputFields: FieldSnapshot[] = [
      { name: "topic", label: "Topic", type: "text", required: true, options: null },
      { name: "notes", label: "Notes", type: "textarea", required: false, options: null },
    ];
    // As the run's object writes it (durable/run-records.ts): inputs, fields and request hashes in R2.
    await putRecordBlob(env.OUTPUTS, key, {
      version: 1,
      inputs,
      inputFields,
      prompts: Object.fromEntries(
        written.map((p) => [
          p.promptId,
          { systemContext: p.systemContext, content: p.content, output: p.output, requestHash: p.requestHash },
        ]),
      ),
    });
    await writeExecutionRecord(db, {
      executionId: id,
      header: {
        ownerId: request.ownerId,
        toolId: "bench-seeded-tool",
        toolName: "Seeded",
        inputs,
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
      costMicros: 0,
      startedAt: createdAt,
      completedAt: endedAt,
      prompts: written,
    });
  };
  for (let at = 0; at < request.count; at += SEED_AT_ONCE) {
    const size = Math.min(SEED_AT_ONCE, request.count - at);
    await Promise.all(Array.from({ length: size }, (_, i) => one(at + i)));
  }
  return request.count;
}

/** The count and total size of the R2 objects under `prefix` (every page of the listing). */
async function r2Usage(bucket: R2Bucket, prefix: string): Promise<{ objects: number; bytes: number }> {
  let objects = 0;
  let bytes = 0;
  let cursor: string | undefined;
  for (;;) {
    const page = await bucket.list({ prefix, ...(cursor ? { cursor } : {}) });
    objects += page.objects.length;
    for (const object of page.objects) bytes += object.size;
    if (!page.truncated) return { objects, bytes };
    cursor = page.cursor;
  }
}

async function state(env: Env, owner: string | undefined): Promise<RecordsState> {
  const count = async (query: string) => {
    const statement = env.DB.prepare(query);
    return (await (owner === undefined ? statement : statement.bind(owner)).first<{ n: number }>())?.n ?? 0;
  };
  const mine = owner === undefined ? "" : " WHERE owner_id = ?1";
  const r2 = await r2Usage(env.OUTPUTS, owner === undefined ? "records/" : ownerPrefix(owner));
  return {
    executions: await count(`SELECT count(*) AS n FROM tool_executions${mine}`),
    withKey: await count(
      `SELECT count(*) AS n FROM tool_executions WHERE in_r2 = 1${owner === undefined ? "" : " AND owner_id = ?1"}`,
    ),
    // By owner through the execution; all of them otherwise (orphans included: a cascade that failed shows).
    promptResults: await count(
      owner === undefined
        ? "SELECT count(*) AS n FROM prompt_results"
        : "SELECT count(*) AS n FROM prompt_results WHERE execution_id IN (SELECT id FROM tool_executions WHERE owner_id = ?1) OR execution_id NOT IN (SELECT id FROM tool_executions)",
    ),
    r2Objects: r2.objects,
    r2Bytes: r2.bytes,
    deletionPending:
      owner === undefined ? null : await env.USER_ACCOUNT.get(env.USER_ACCOUNT.idFromName(owner)).deletionPending(),
  };
}

export const recordsBench = new Hono<{ Bindings: Env }>()
  .post("/records/seed", async (c) => c.json({ seeded: await seed(c.env, await c.req.json<SeedRequest>()) }))
  .get("/records/state", async (c) => c.json(await state(c.env, c.req.query("owner"))))
  // The account alone (no D1 or R2 read, so polling it does not load what it waits for).
  .get("/records/pending", async (c) => {
    const owner = c.req.query("owner") ?? "";
    return c.json({ pending: await c.env.USER_ACCOUNT.get(c.env.USER_ACCOUNT.idFromName(owner)).deletionPending() });
  });
