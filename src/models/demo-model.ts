// The built-in offline model `demo`: streams its prompt back word by word, so local runs need no key.
// Given tools, it calls each of them once, then answers by quoting their results (demo-tools.ts).
import { abortableSleep } from "../lib/abortable-sleep";
import { demoAnswer, demoCalls, toolResults } from "./demo-tools";
import type { ChatRequest, ModelChunk, ModelClient } from "./types";

const approximateTokens = (text: string) => Math.ceil(text.length / 4);

/** Everything the request sends the model, for its input token estimate. */
function inputText(request: ChatRequest): string {
  const tools = request.tools ? JSON.stringify(request.tools) : "";
  if (!request.messages) return (request.systemContext ?? "") + request.prompt + tools;
  return (
    request.messages
      .map((message) =>
        message.role === "assistant"
          ? (message.content ?? "") + JSON.stringify(message.toolCalls ?? [])
          : message.content,
      )
      .join("") + tools
  );
}

/** The demo model; `wordDelayMs` paces the words so the stream is visible in a browser. */
export function createDemoModel(wordDelayMs = 25): ModelClient {
  return {
    async *stream(request, signal): AsyncIterable<ModelChunk> {
      const results = request.messages ? toolResults(request.messages) : [];
      if (request.tools?.length && results.length === 0) {
        await abortableSleep(wordDelayMs, signal);
        const calls = demoCalls(request);
        yield { type: "tool_calls", calls };
        yield {
          type: "usage",
          usage: {
            inputTokens: approximateTokens(inputText(request)),
            outputTokens: approximateTokens(JSON.stringify(calls)),
          },
        };
        return;
      }
      const text = results.length > 0 ? demoAnswer(results) : request.prompt;
      const words = text.match(/\S+\s*|\s+/g) ?? [];
      for (const word of words) {
        await abortableSleep(wordDelayMs, signal);
        yield { type: "delta", text: word };
      }
      yield {
        type: "usage",
        usage: { inputTokens: approximateTokens(inputText(request)), outputTokens: approximateTokens(text) },
      };
    },
  };
}
