// The built-in offline model `demo`: streams its prompt back word by word, so local runs need no key.
import { abortableSleep } from "../lib/abortable-sleep";
import type { ModelChunk, ModelClient } from "./types";

const approximateTokens = (text: string) => Math.ceil(text.length / 4);

/** The demo model; `wordDelayMs` paces the words so the stream is visible in a browser. */
export function createDemoModel(wordDelayMs = 25): ModelClient {
  return {
    async *stream(request, signal): AsyncIterable<ModelChunk> {
      const words = request.prompt.match(/\S+\s*|\s+/g) ?? [];
      for (const word of words) {
        await abortableSleep(wordDelayMs, signal);
        yield { type: "delta", text: word };
      }
      yield {
        type: "usage",
        usage: {
          inputTokens: approximateTokens((request.systemContext ?? "") + request.prompt),
          outputTokens: approximateTokens(request.prompt),
        },
      };
    },
  };
}
