import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { recordKey } from "../../src/db/record-blobs";
import { MAX_PART_UNITS } from "../../src/lib/text-parts";
import { newUser } from "../helpers/auth";
import { createToolFor, followEvents, getRecord, startExecution } from "../helpers/executions";
import { sessionStub } from "../helpers/session";
import { outputsOf } from "../helpers/sse";
import { lessonPlanner } from "../helpers/tools";
import { scriptModel, streamOf, upstreamRequests, waitFor } from "../helpers/upstream";

describe("a whole execution", () => {
  it("runs the chain, streams every event in order and records exact outputs", async () => {
    const user = newUser();
    const outlineModel = await scriptModel(
      streamOf("1. Halves 2. Quarters", 3, { usage: { prompt_tokens: 11, completion_tokens: 6 } }),
    );
    const lessonModel = await scriptModel(
      streamOf("Today we cut pizzas into halves.", 5, { usage: { prompt_tokens: 20, completion_tokens: 8 } }),
    );
    const body = lessonPlanner(outlineModel);
    body.prompts[1] = { ...body.prompts[1]!, model: lessonModel };
    const tool = await createToolFor(user, body);
    const execution = await startExecution(user, tool.id, { topic: "fractions", grade: "2" });
    expect(execution.eventsUrl).toBe(`/api/executions/${execution.id}/events`);

    const events = await followEvents(user, execution.id);
    expect(events.map((item) => item.id)).toEqual(events.map((_, index) => index + 1));
    const types = events.map((item) => item.type).filter((type) => type !== "prompt.delta");
    expect(types).toEqual([
      "execution.started",
      "prompt.started",
      "prompt.completed",
      "prompt.started",
      "prompt.completed",
      "execution.completed",
    ]);
    const [outlineId, lessonId] = tool.prompts.map((prompt) => prompt.id);
    const outputs = outputsOf(events);
    expect(outputs.get(outlineId!)).toBe("1. Halves 2. Quarters");
    expect(outputs.get(lessonId!)).toBe("Today we cut pizzas into halves.");
    const done = events.at(-1);
    expect(done?.type === "execution.completed" && done.data.usage).toEqual({ inputTokens: 31, outputTokens: 14 });

    const [lessonRequest] = await upstreamRequests(lessonModel);
    expect(lessonRequest?.body.messages.at(-1)?.content).toBe(
      "Write the full lesson from this outline:\n1. Halves 2. Quarters",
    );
    expect(lessonRequest?.body).toMatchObject({
      stream: true,
      stream_options: { include_usage: true },
      temperature: 0.7,
      max_completion_tokens: 2000,
    });
    // One output bound, never both: reasoning models refuse max_tokens.
    expect(lessonRequest?.body.max_tokens).toBeUndefined();
    const [outlineRequest] = await upstreamRequests(outlineModel);
    expect(outlineRequest?.body.messages).toEqual([
      { role: "system", content: "You are a curriculum designer." },
      { role: "user", content: "Outline a lesson on fractions for grade 2." },
    ]);

    const record = await getRecord(user, execution.id);
    expect(record.status).toBe("completed");
    expect(record.results.map((result) => [result.name, result.status, result.output])).toEqual([
      ["outline", "completed", "1. Halves 2. Quarters"],
      ["lesson", "completed", "Today we cut pizzas into halves."],
    ]);
    expect(record.results[0]?.usage).toEqual({ inputTokens: 11, outputTokens: 6 });
  });
});

describe("a large response", () => {
  it("streams a multi-megabyte output completely, records it exactly in R2 (D1 keeps a preview), and logs it in bounded parts", async () => {
    const user = newUser();
    const kilobyte = `${"0123456789abcdef".repeat(63)}é😀\n`;
    const model = await scriptModel({ kind: "stream", chunks: [kilobyte], repeat: 3_000 });
    const tool = await createToolFor(
      user,
      lessonPlanner(model, { prompts: [{ name: "big", position: 0, model, content: "{{topic}}" }] }),
    );
    const execution = await startExecution(user, tool.id, { topic: "big" });
    const events = await followEvents(user, execution.id);
    const expected = kilobyte.repeat(3_000);
    const promptId = tool.prompts[0]!.id;
    expect(outputsOf(events).get(promptId)).toBe(expected);
    const completed = events.find((item) => item.type === "prompt.completed");
    expect(completed?.type === "prompt.completed" && completed.data.output === expected).toBe(true);
    expect((await getRecord(user, execution.id)).results[0]?.output).toBe(expected);

    const d1 = await waitFor(
      () =>
        env.DB.prepare(
          "SELECT p.output AS output, p.output_preview AS preview, e.owner_id AS ownerId FROM prompt_results p JOIN tool_executions e ON e.id = p.execution_id WHERE p.execution_id = ? AND e.in_r2 = 1",
        )
          .bind(execution.id)
          .first<{ output: string; preview: string; ownerId: string }>(),
      5_000,
      "the record",
    );
    expect(d1.output).toBe("");
    expect(d1.preview).toBe(Array.from(expected).slice(0, 280).join(""));
    const blob = await (await env.OUTPUTS.get(recordKey(d1.ownerId, execution.id)))?.json<{
      prompts: Record<string, { output: string }>;
    }>();
    expect(blob?.prompts[promptId]?.output).toBe(expected);
    const storage = await runInDurableObject(sessionStub(execution.id), (_instance, state) => ({
      rows: state.storage.sql.exec<{ n: number }>("SELECT count(*) AS n FROM event_log").one().n,
      longest:
        state.storage.sql.exec<{ n: number | null }>("SELECT max(length(body)) AS n FROM event_log").one().n ?? 0,
      longestPart:
        state.storage.sql.exec<{ n: number | null }>("SELECT max(length(text)) AS n FROM event_log_parts").one().n ?? 0,
    }));
    expect(storage.longest).toBeLessThanOrEqual(MAX_PART_UNITS);
    expect(storage.longestPart).toBeLessThanOrEqual(MAX_PART_UNITS);
    // 3 000 deltas in far fewer rows: batched by time and size, never one row per token.
    expect(storage.rows).toBeLessThan(100);
  });
});
