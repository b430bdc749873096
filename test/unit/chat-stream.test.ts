// The answer's SSE body read into model chunks: several events in one read, events split across reads,
// the SDK's meaning for `[DONE]`, error events and malformed JSON, a body cut before its end, and tool
// calls assembled from their fragments.
import OpenAI from "openai";
import { describe, expect, it } from "vitest";
import { chatChunks } from "../../src/models/chat-stream";
import type { ModelChunk } from "../../src/models/types";

const data = (value: unknown) => `data: ${JSON.stringify(value)}\n\n`;
const delta = (content: string) => data({ choices: [{ delta: { content }, finish_reason: null }] });
const finish = data({ choices: [{ delta: {}, finish_reason: "stop" }] });

/** A response whose body arrives in exactly these reads; `cancelled` says whether the reader gave up on it. */
function bodyOf(reads: string[]) {
  const state = { cancelled: false, served: 0 };
  const encoder = new TextEncoder();
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      const next = reads[state.served++];
      if (next === undefined) controller.close();
      else controller.enqueue(encoder.encode(next));
    },
    cancel() {
      state.cancelled = true;
    },
  });
  return { response: new Response(stream), state };
}

async function drain(response: Response) {
  const chunks: ModelChunk[] = [];
  const iterator = chatChunks(response);
  for (;;) {
    const step = await iterator.next();
    if (step.done) return { chunks, finished: step.value };
    chunks.push(step.value);
  }
}

describe("chatChunks", () => {
  it("yields every delta of a read in order, joins events split across reads, and returns the finish reason", async () => {
    const whole = delta("Hel") + delta("lo") + delta(" world");
    const { response } = bodyOf([
      whole.slice(0, 40),
      whole.slice(40),
      `${finish + data({ choices: [], usage: { prompt_tokens: 3, completion_tokens: 4 } })}data: [DONE]\n\n`,
    ]);
    const { chunks, finished } = await drain(response);
    expect(chunks).toEqual([
      { type: "delta", text: "Hel" },
      { type: "delta", text: "lo" },
      { type: "delta", text: " world" },
      { type: "usage", usage: { inputTokens: 3, outputTokens: 4 } },
    ]);
    expect(finished).toBe("stop");
  });

  it("stops at [DONE] and lets go of the body without reading what follows", async () => {
    const { response, state } = bodyOf([`${delta("a") + finish}data: [DONE]\n\n`, delta("never")]);
    const { chunks } = await drain(response);
    expect(chunks).toEqual([{ type: "delta", text: "a" }]);
    expect(state.served).toBe(1);
    expect(state.cancelled).toBe(true);
  });

  it("returns no finish reason when the body ends without one (a cut answer)", async () => {
    const { response } = bodyOf([delta("half")]);
    expect(await drain(response)).toEqual({ chunks: [{ type: "delta", text: "half" }], finished: null });
  });

  it("throws the SDK's APIError for an error in the data and for an `event: error`, after the text before it", async () => {
    const inData = bodyOf([delta("ok") + data({ error: { message: "overloaded", type: "server_error", code: 503 } })]);
    const seen: ModelChunk[] = [];
    await expect(
      (async () => {
        for await (const chunk of chatChunks(inData.response)) seen.push(chunk);
      })(),
    ).rejects.toBeInstanceOf(OpenAI.APIError);
    expect(seen).toEqual([{ type: "delta", text: "ok" }]);
    expect(inData.state.cancelled).toBe(true);
    const named = bodyOf([`event: error\ndata: ${JSON.stringify({ message: "bad" })}\n\n`]);
    await expect(drain(named.response)).rejects.toMatchObject({ message: expect.stringContaining("bad") });
  });

  it("throws SyntaxError for data that is not JSON", async () => {
    const { response } = bodyOf(["data: {nope\n\n"]);
    await expect(drain(response)).rejects.toBeInstanceOf(SyntaxError);
  });
});

/** A chunk carrying tool-call fragments, as OpenAI streams them. */
const calls = (...fragments: { index: number; id?: string; name?: string; args?: string }[]) =>
  data({
    choices: [
      {
        delta: {
          tool_calls: fragments.map(({ index, id, name, args }) => ({
            index,
            ...(id ? { id, type: "function" } : {}),
            function: { ...(name ? { name } : {}), ...(args === undefined ? {} : { arguments: args }) },
          })),
        },
        finish_reason: null,
      },
    ],
  });
const finishWith = (reason: string) => data({ choices: [{ delta: {}, finish_reason: reason }] });

describe("chatChunks: tool calls", () => {
  it("assembles one call whose arguments arrive in many chunks across reads, once, when the turn finishes", async () => {
    const body =
      calls({ index: 0, id: "call_a", name: "lesson__find_standard", args: "" }) +
      calls({ index: 0, args: '{"top' }) +
      calls({ index: 0, args: 'ic": "frac' }) +
      calls({ index: 0, args: 'tions"}' }) +
      finishWith("tool_calls") +
      data({ choices: [], usage: { prompt_tokens: 10, completion_tokens: 5 } }) +
      "data: [DONE]\n\n";
    const { response } = bodyOf([body.slice(0, 70), body.slice(70, 200), body.slice(200)]);
    const { chunks, finished } = await drain(response);
    expect(chunks).toEqual([
      {
        type: "tool_calls",
        calls: [{ id: "call_a", name: "lesson__find_standard", arguments: '{"topic": "fractions"}' }],
      },
      { type: "usage", usage: { inputTokens: 10, outputTokens: 5 } },
    ]);
    expect(finished).toBe("tool_calls");
  });

  it("keeps two calls of one turn apart by index, even when their fragments interleave, after the text", async () => {
    const { response } = bodyOf([
      delta("Looking that up. ") +
        calls({ index: 0, id: "call_1", name: "a__one", args: '{"x":' }) +
        calls({ index: 1, id: "call_2", name: "b__two", args: '{"y":' }) +
        calls({ index: 0, args: "1}" }, { index: 1, args: "2}" }) +
        finishWith("tool_calls"),
    ]);
    expect((await drain(response)).chunks).toEqual([
      { type: "delta", text: "Looking that up. " },
      {
        type: "tool_calls",
        calls: [
          { id: "call_1", name: "a__one", arguments: '{"x":1}' },
          { id: "call_2", name: "b__two", arguments: '{"y":2}' },
        ],
      },
    ]);
  });

  it("passes arguments through unparsed, invalid JSON included, and names a call without an id by its index", async () => {
    const { response } = bodyOf([
      calls({ index: 0, name: "s__t", args: '{"oops' }) +
        calls({ index: 1, name: "no_such_tool" }) +
        finishWith("stop"),
    ]);
    expect((await drain(response)).chunks).toEqual([
      {
        type: "tool_calls",
        calls: [
          { id: "call_1", name: "s__t", arguments: '{"oops' },
          { id: "call_2", name: "no_such_tool", arguments: "" },
        ],
      },
    ]);
  });

  it("emits no calls from a turn cut before its finish", async () => {
    const { response } = bodyOf([calls({ index: 0, id: "c", name: "s__t", args: '{"a": 1' })]);
    expect(await drain(response)).toEqual({ chunks: [], finished: null });
  });

  it("throws SyntaxError for a call index out of bounds", async () => {
    const { response } = bodyOf([calls({ index: 100_000, id: "c", name: "s__t" })]);
    await expect(drain(response)).rejects.toBeInstanceOf(SyntaxError);
  });
});
