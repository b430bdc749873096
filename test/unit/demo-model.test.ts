import { describe, expect, it } from "vitest";
import { createDemoModel } from "../../src/models/demo-model";
import { argumentsFor } from "../../src/models/demo-tools";
import type { ModelChunk } from "../../src/models/types";

async function collect(stream: AsyncIterable<ModelChunk>): Promise<ModelChunk[]> {
  const chunks: ModelChunk[] = [];
  for await (const chunk of stream) chunks.push(chunk);
  return chunks;
}

describe("the offline demo model", () => {
  it("streams its prompt back word by word, then usage", async () => {
    const prompt = "Outline a lesson on  fractions\nfor grade 2.";
    const chunks = await collect(
      createDemoModel(0).stream(
        { model: "demo", prompt, systemContext: "sys", temperature: null, maxTokens: null },
        new AbortController().signal,
      ),
    );
    const deltas = chunks.flatMap((chunk) => (chunk.type === "delta" ? [chunk.text] : []));
    expect(deltas.join("")).toBe(prompt);
    expect(deltas.length).toBeGreaterThan(5);
    expect(chunks.at(-1)).toEqual({
      type: "usage",
      usage: { inputTokens: Math.ceil((3 + prompt.length) / 4), outputTokens: Math.ceil(prompt.length / 4) },
    });
  });

  it("stops when aborted", async () => {
    const controller = new AbortController();
    const stream = createDemoModel(5).stream(
      { model: "demo", prompt: "one two three four five six", systemContext: null, temperature: null, maxTokens: null },
      controller.signal,
    );
    const seen: string[] = [];
    await expect(
      (async () => {
        for await (const chunk of stream) {
          if (chunk.type === "delta") seen.push(chunk.text);
          if (seen.length === 2) controller.abort(new Error("stop"));
        }
      })(),
    ).rejects.toThrow("stop");
    expect(seen).toHaveLength(2);
  });

  it("streams exactly as before when it is given no tools, even with a conversation", async () => {
    const prompt = "Plain text only";
    const chunks = await collect(
      createDemoModel(0).stream(
        { model: "demo", prompt, systemContext: null, temperature: null, maxTokens: null, tools: [] },
        new AbortController().signal,
      ),
    );
    expect(chunks.some((chunk) => chunk.type === "tool_calls")).toBe(false);
    expect(chunks.flatMap((chunk) => (chunk.type === "delta" ? [chunk.text] : [])).join("")).toBe(prompt);
  });
});

describe("the offline demo model with tools", () => {
  const tools = [
    {
      name: "lesson__find_standard",
      description: "Finds a standard",
      parameters: {
        type: "object",
        properties: { topic: { type: "string" }, grade: { type: "integer", minimum: 0 } },
        required: ["topic"],
      },
    },
    {
      name: "classroom__post_announcement",
      description: "Posts",
      parameters: {
        type: "object",
        properties: { message: { type: "string" }, urgent: { type: "boolean" }, tone: { enum: ["calm", "loud"] } },
      },
    },
  ];
  const base = { model: "demo", systemContext: null, temperature: null, maxTokens: null, tools };
  const prompt = "Plan fractions for grade 3";

  it("calls each offered tool once, with arguments from the schema and the prompt's words, and no text", async () => {
    const chunks = await collect(createDemoModel(0).stream({ ...base, prompt }, new AbortController().signal));
    expect(chunks.filter((chunk) => chunk.type === "delta")).toEqual([]);
    expect(chunks[0]).toEqual({
      type: "tool_calls",
      calls: [
        {
          id: "call_demo_1",
          name: "lesson__find_standard",
          arguments: '{"topic":"Plan fractions for grade 3","grade":3}',
        },
        {
          id: "call_demo_2",
          name: "classroom__post_announcement",
          arguments: '{"message":"Plan fractions for grade 3","urgent":true,"tone":"calm"}',
        },
      ],
    });
    expect(chunks[1]?.type).toBe("usage");
  });

  it("keeps its string arguments within the schema's maxLength, so they pass the schema", () => {
    const schema = { type: "object", properties: { grade: { type: "string", maxLength: 5 }, n: { type: "number" } } };
    expect(argumentsFor(schema, "Plan fractions now")).toEqual({ grade: "Plan ", n: 1 });
  });

  it("answers by quoting the tool results once they are in the conversation", async () => {
    const request = {
      ...base,
      prompt,
      messages: [
        { role: "user" as const, content: prompt },
        {
          role: "assistant" as const,
          content: null,
          toolCalls: [
            { id: "call_demo_1", name: "lesson__find_standard", arguments: "{}" },
            { id: "call_demo_2", name: "classroom__post_announcement", arguments: "{}" },
          ],
        },
        { role: "tool" as const, toolCallId: "call_demo_1", content: "DEMO.MATH.3.NF.1: fractions" },
        { role: "tool" as const, toolCallId: "call_demo_2", content: "The person declined." },
      ],
    };
    const chunks = await collect(createDemoModel(0).stream(request, new AbortController().signal));
    expect(chunks.some((chunk) => chunk.type === "tool_calls")).toBe(false);
    expect(chunks.flatMap((chunk) => (chunk.type === "delta" ? [chunk.text] : [])).join("")).toBe(
      "Here is what the tools said:\n\n- lesson__find_standard: DEMO.MATH.3.NF.1: fractions\n- classroom__post_announcement: The person declined.\n",
    );
  });
});
