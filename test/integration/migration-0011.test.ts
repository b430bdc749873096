// Migration 0011 (issue #25's smaller D1 record) on rows the earlier shape wrote: applied to a D1 that
// holds them, it keeps every prompt result (now keyed by execution and prompt, WITHOUT ROWID), turns
// record_key into in_r2, drops the execution's copy of the list preview, and the readers still give
// each kind of earlier row whole: one from before R2, one whose blob lacks inputs and request hashes.
import { applyD1Migrations } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { createDb } from "../../src/db/client";
import { readOwnExecution } from "../../src/db/execution-contents";
import { listExecutions } from "../../src/db/execution-queries";
import { putRecordBlob, recordKey } from "../../src/db/record-blobs";
import { newUser } from "../helpers/auth";

const db = () => env.MIGRATION_DB;
const owner = newUser();
const BEFORE_R2 = "exec-before-r2";
const IN_R2 = "exec-in-r2";
const HASH = "a".repeat(64);

/** Rows as migrations 0000–0010 left them: one execution from before R2, one whose contents R2 holds. */
async function seedEarlierShape() {
  const execution = db().prepare(
    `INSERT INTO tool_executions (id, owner_id, tool_id, tool_name, status, inputs, input_fields, record_key,
       inputs_preview, output_preview, created_at, started_at, completed_at)
     VALUES (?, ?, 'tool', 'Earlier', 'completed', ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const result = db().prepare(
    `INSERT INTO prompt_results (id, execution_id, prompt_id, name, position, ordinal, model, status, output,
       output_preview, request_hash, completed_at)
     VALUES (?, ?, ?, ?, ?, ?, 'm', 'completed', ?, ?, ?, 10)`,
  );
  const fields = JSON.stringify([{ name: "topic", label: "Topic", type: "text", required: true, options: null }]);
  await db().batch([
    execution.bind(BEFORE_R2, owner, JSON.stringify({ topic: "tides" }), fields, null, null, null, 1, 2, 3),
    result.bind("r1", BEFORE_R2, "p1", "first", 0, 1, "whole first output", null, HASH),
    result.bind("r2", BEFORE_R2, "p2", "second", 1, 2, `${"é".repeat(300)}`, null, null),
    execution.bind(
      IN_R2,
      owner,
      JSON.stringify({ topic: "moons" }),
      fields,
      recordKey(owner, IN_R2),
      "Topic: moons",
      "last",
      4,
      5,
      6,
    ),
    result.bind("r3", IN_R2, "p1", "first", 0, 1, "", "first", HASH),
    result.bind("r4", IN_R2, "p2", "second", 1, 2, "", "last", HASH),
  ]);
  // The blob as 0008–0010 wrote it: no inputs (D1 kept inputs up to 1 KB), no fields, no request hashes.
  await putRecordBlob(env.OUTPUTS, recordKey(owner, IN_R2), {
    version: 1,
    prompts: {
      p1: { systemContext: null, content: "say first", output: "first, whole" },
      p2: { systemContext: null, content: "say last", output: "last, whole" },
    },
  });
}

beforeAll(async () => {
  const earlier = env.TEST_MIGRATIONS.filter((migration) => migration.name < "0011");
  expect(earlier).toHaveLength(11);
  await applyD1Migrations(db(), earlier);
  await seedEarlierShape();
  await applyD1Migrations(db(), env.TEST_MIGRATIONS);
});

describe("migration 0011 on rows of the earlier shape", () => {
  it("keeps every prompt result, keyed by (execution_id, prompt_id) without a rowid, and turns record_key into in_r2", async () => {
    const table = await db()
      .prepare("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'prompt_results'")
      .first<{ sql: string }>();
    expect(table?.sql).toMatch(/PRIMARY KEY\(`execution_id`, `prompt_id`\)[\s\S]*WITHOUT ROWID/);
    const columns = (table: string) =>
      db()
        .prepare(`SELECT name FROM pragma_table_info('${table}')`)
        .all<{ name: string }>()
        .then((rows) => rows.results.map((row) => row.name));
    expect(await columns("prompt_results")).not.toContain("id");
    expect(await columns("tool_executions")).not.toContain("record_key");
    expect(await columns("tool_executions")).not.toContain("output_preview");
    const rows = await db()
      .prepare("SELECT execution_id AS e, prompt_id AS p, request_hash AS h FROM prompt_results ORDER BY e, p")
      .all();
    expect(rows.results).toEqual([
      { e: BEFORE_R2, p: "p1", h: HASH },
      { e: BEFORE_R2, p: "p2", h: null },
      { e: IN_R2, p: "p1", h: HASH },
      { e: IN_R2, p: "p2", h: HASH },
    ]);
    const flags = await db().prepare("SELECT id, in_r2 AS inR2 FROM tool_executions ORDER BY id").all();
    expect(flags.results).toEqual([
      { id: BEFORE_R2, inR2: 0 },
      { id: IN_R2, inR2: 1 },
    ]);
    // The key holds: a second result for the same prompt is refused; deleting the execution still cascades.
    await expect(
      db()
        .prepare(
          "INSERT INTO prompt_results (execution_id, prompt_id, name, position, ordinal, model) VALUES (?, 'p1', 'x', 0, 1, 'm')",
        )
        .bind(IN_R2)
        .run(),
    ).rejects.toThrow(/UNIQUE|PRIMARY KEY/i);
  });

  it("reads both earlier rows whole: inputs, fields and request hashes from D1 where R2 lacks them", async () => {
    const before = await readOwnExecution(createDb(db()), env.OUTPUTS, BEFORE_R2, owner);
    expect(before?.execution).toMatchObject({ inputs: { topic: "tides" }, inR2: false });
    expect(before?.execution.inputFields?.map((field) => field.label)).toEqual(["Topic"]);
    expect(before?.results.map((result) => [result.output.length, result.requestHash])).toEqual([
      [18, HASH],
      [300, null],
    ]);
    const inR2 = await readOwnExecution(createDb(db()), env.OUTPUTS, IN_R2, owner);
    expect(inR2?.outputsError).toBeUndefined();
    expect(inR2?.execution).toMatchObject({ inputs: { topic: "moons" }, inR2: true });
    expect(inR2?.execution.inputFields?.map((field) => field.label)).toEqual(["Topic"]);
    expect(inR2?.results.map((result) => [result.output, result.requestHash])).toEqual([
      ["first, whole", HASH],
      ["last, whole", HASH],
    ]);
  });

  it("lists each with its last prompt's preview (an output from before previews: its first 280 code points)", async () => {
    const listed = await listExecutions(createDb(db()), owner, { limit: 10 });
    expect(listed.map((row) => [row.id, row.outputPreview])).toEqual([
      [IN_R2, "last"],
      [BEFORE_R2, "é".repeat(280)],
    ]);
    const searched = await listExecutions(createDb(db()), owner, { limit: 10, q: "tides" });
    expect(searched.map((row) => row.id)).toEqual([BEFORE_R2]);
  });
});
