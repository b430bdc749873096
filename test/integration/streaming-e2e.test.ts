import { describe, expect, it } from "vitest";
import { newUser } from "../helpers/auth";
import { createToolFor, followEvents, getRecord, startExecution } from "../helpers/executions";
import { outputsOf } from "../helpers/sse";
import { lessonPlanner } from "../helpers/tools";
import { scriptModel, streamOf, upstreamRequests } from "../helpers/upstream";

describe("a whole execution", () => {
  it("runs the chain, streams every event in order and records exact outputs", async () => {
    const user = newUser();
    const outlineModel = await scriptModel(streamOf("1. Halves 2. Quarters", 3, { usage: { prompt_tokens: 11, completion_tokens: 6 } }));
    const lessonModel = await scriptModel(streamOf("Today we cut pizzas into halves.", 5, { usage: { prompt_tokens: 20, completion_tokens: 8 } }));
    const body = lessonPlanner(outlineModel);
    body.prompts[1] = { ...body.prompts[1]!, model: lessonModel };
    const tool = await createToolFor(user, body);
    const execution = await startExecution(user, tool.id, { topic: "fractions", grade: "2" });
    expect(execution.eventsUrl).toBe(`/api/executions/${execution.id}/events`);

    const events = await followEvents(user, execution.id);
    expect(events.map((item) => item.id)).toEqual(events.map((_, index) => index + 1));
    const types = events.map((item) => item.type).filter((type) => type !== "prompt.delta");
    expect(types).toEqual(["execution.started", "prompt.started", "prompt.completed", "prompt.started", "prompt.completed", "execution.completed"]);
    const [outlineId, lessonId] = tool.prompts.map((prompt) => prompt.id);
    const outputs = outputsOf(events);
    expect(outputs.get(outlineId!)).toBe("1. Halves 2. Quarters");
    expect(outputs.get(lessonId!)).toBe("Today we cut pizzas into halves.");
    const done = events.at(-1);
    expect(done?.type === "execution.completed" && done.data.usage).toEqual({ inputTokens: 31, outputTokens: 14 });

    const [lessonRequest] = await upstreamRequests(lessonModel);
    expect(lessonRequest?.body.messages.at(-1)?.content).toBe("Write the full lesson from this outline:\n1. Halves 2. Quarters");
    expect(lessonRequest?.body).toMatchObject({ stream: true, stream_options: { include_usage: true }, temperature: 0.7, max_tokens: 2000 });
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
