// The openai model client with tools, against the scripted upstream: the request carries the functions
// and the conversation (assistant calls, tool results by tool_call_id) in the wire format, and a turn's
// streamed calls come back whole: split arguments, two calls at once, invalid JSON and unknown names as sent.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { createOpenAIModel } from "../../src/models/openai-model";
import type { ChatRequest, ModelChunk } from "../../src/models/types";
import { scriptModel, streamOf, toolCallsOf, upstreamRequests } from "../helpers/upstream";

const client = createOpenAIModel({
  apiKey: "test-key",
  baseURL: env.OPENAI_BASE_URL,
  timeoutMs: 5_000,
  outputLimitParam: "max_completion_tokens",
});

const tools: ChatRequest["tools"] = [
  {
    name: "lesson__find_standard",
    description: "Finds a standard",
    parameters: { type: "object", properties: { topic: { type: "string" } }, required: ["topic"] },
  },
  { name: "classroom__post_announcement", description: "Posts", parameters: { type: "object", properties: {} } },
];

async function run(request: ChatRequest): Promise<ModelChunk[]> {
  const chunks: ModelChunk[] = [];
  for await (const chunk of client.stream(request, new AbortController().signal)) chunks.push(chunk);
  return chunks;
}

const request = (model: string, extra: Partial<ChatRequest> = {}): ChatRequest => ({
  model,
  systemContext: "You plan lessons.",
  prompt: "Plan fractions",
  temperature: null,
  maxTokens: null,
  ...extra,
});

describe("the model client with tools", () => {
  it("returns two calls of one turn whole, their arguments split in pieces and interleaved, after the text", async () => {
    const model = await scriptModel(
      toolCallsOf(
        [
          { id: "call_1", name: "lesson__find_standard", arguments: '{"topic": "fractions", "grade": 3}' },
          { id: "call_2", name: "classroom__post_announcement", arguments: '{"message": "Quiz on Friday"}' },
        ],
        { text: "Let me check.", size: 3, interleave: true },
      ),
    );
    const chunks = await run(request(model, { tools }));
    expect(
      chunks
        .filter((chunk) => chunk.type === "delta")
        .map((chunk) => chunk.type === "delta" && chunk.text)
        .join(""),
    ).toBe("Let me check.");
    expect(chunks.filter((chunk) => chunk.type === "tool_calls")).toEqual([
      {
        type: "tool_calls",
        calls: [
          { id: "call_1", name: "lesson__find_standard", arguments: '{"topic": "fractions", "grade": 3}' },
          { id: "call_2", name: "classroom__post_announcement", arguments: '{"message": "Quiz on Friday"}' },
        ],
      },
    ]);
    expect(chunks.slice(-2).map((chunk) => chunk.type)).toEqual(["usage", "finish"]);
    expect(chunks.at(-1)).toEqual({ type: "finish", reason: "tool_calls" });
  });

  it("hands on invalid JSON arguments and a call to a function it was not offered exactly as the model sent them", async () => {
    const model = await scriptModel(
      toolCallsOf([
        { name: "lesson__find_standard", arguments: '{"topic": "fract' },
        { name: "no_such__tool", arguments: "{}" },
      ]),
    );
    const calls = (await run(request(model, { tools }))).find((chunk) => chunk.type === "tool_calls");
    expect(calls).toEqual({
      type: "tool_calls",
      calls: [
        { id: "call_1_0", name: "lesson__find_standard", arguments: '{"topic": "fract' },
        { id: "call_1_1", name: "no_such__tool", arguments: "{}" },
      ],
    });
  });

  it("sends the functions as tools and the conversation instead of the prompt, tool results by tool_call_id", async () => {
    const model = await scriptModel(streamOf("Fractions it is."));
    await run(
      request(model, {
        tools,
        messages: [
          { role: "system", content: "You plan lessons." },
          { role: "user", content: "Plan fractions" },
          {
            role: "assistant",
            content: null,
            toolCalls: [{ id: "call_1", name: "lesson__find_standard", arguments: '{"topic":"fractions"}' }],
          },
          { role: "tool", toolCallId: "call_1", content: "DEMO.MATH.3.NF.1" },
        ],
      }),
    );
    const [sent] = await upstreamRequests(model);
    expect(sent?.body.tools).toEqual([
      { type: "function", function: tools?.[0] },
      { type: "function", function: tools?.[1] },
    ]);
    expect(sent?.body.messages).toEqual([
      { role: "system", content: "You plan lessons." },
      { role: "user", content: "Plan fractions" },
      {
        role: "assistant",
        content: null,
        tool_calls: [
          {
            id: "call_1",
            type: "function",
            function: { name: "lesson__find_standard", arguments: '{"topic":"fractions"}' },
          },
        ],
      },
      { role: "tool", tool_call_id: "call_1", content: "DEMO.MATH.3.NF.1" },
    ]);
  });

  it("sends no tools and the system context and prompt when the request has neither tools nor a conversation", async () => {
    const model = await scriptModel(streamOf("ok"));
    const chunks = await run(request(model));
    expect(chunks.some((chunk) => chunk.type === "tool_calls")).toBe(false);
    const [sent] = await upstreamRequests(model);
    expect(sent?.body).not.toHaveProperty("tools");
    expect(sent?.body.messages).toEqual([
      { role: "system", content: "You plan lessons." },
      { role: "user", content: "Plan fractions" },
    ]);
  });
});
