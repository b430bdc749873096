// Streams chat completions from any OpenAI-compatible endpoint: the `openai` SDK makes the request,
// `chat-stream.ts` reads the answer.
import OpenAI from "openai";
import type { ChatCompletionFunctionTool, ChatCompletionMessageParam } from "openai/resources/chat/completions";
import type { OutputLimitParam } from "../lib/model-catalogue";
import { chatChunks } from "./chat-stream";
import {
  type ChatMessage,
  type ChatRequest,
  type ModelChunk,
  type ModelClient,
  ModelError,
  outputBound,
} from "./types";

export interface OpenAIModelOptions {
  apiKey: string;
  baseURL: string;
  /** How long to wait for response headers; token gaps are watched by the caller. */
  timeoutMs: number;
  /** The parameter the output bound is sent as (only ever one of the two). */
  outputLimitParam: OutputLimitParam;
}

function retryAfterMs(headers: Headers | undefined): number | undefined {
  const value = headers?.get("retry-after");
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return seconds * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

/** Error types providers send in a mid-stream error event (no HTTP status) for a transient failure. */
const TRANSIENT_ERROR_TYPES = new Set([
  "server_error",
  "rate_limit_error",
  "rate_limit_exceeded",
  "overloaded_error",
  "api_error",
]);

/** The HTTP status, or for a mid-stream error event the code or type its body carries (0: unknown). */
function statusOf(error: InstanceType<typeof OpenAI.APIError>): number {
  if (error.status) return error.status;
  const code = Number(error.code);
  if (Number.isInteger(code) && code >= 400) return code;
  return TRANSIENT_ERROR_TYPES.has(String(error.type ?? error.code ?? "")) ? 503 : 0;
}

/** Maps SDK errors to ModelError: 429/5xx and connection failures are retryable. */
function toModelError(error: unknown): unknown {
  if (error instanceof OpenAI.APIUserAbortError) return error;
  if (error instanceof OpenAI.APIConnectionError)
    return new ModelError("model_unavailable", `Model endpoint unreachable: ${error.message}`, true);
  if (error instanceof OpenAI.APIError) {
    const status = statusOf(error);
    const retryable = status === 429 || status >= 500;
    return new ModelError(
      retryable ? "model_unavailable" : "model_error",
      `Model answered ${status}: ${error.message}`,
      retryable,
      retryAfterMs(error.headers),
    );
  }
  if (error instanceof SyntaxError)
    return new ModelError("model_bad_response", `Model sent a malformed chunk: ${error.message}`);
  // Anything else thrown while reading the body is the connection failing (workerd: "Network connection lost").
  if (error instanceof Error)
    return new ModelError("model_unavailable", `Connection to the model lost: ${error.message}`, true);
  return error;
}

/** One turn in the wire format (snake_case, calls as `function` tool calls). */
function wireMessage(message: ChatMessage): ChatCompletionMessageParam {
  switch (message.role) {
    case "tool":
      return { role: "tool", tool_call_id: message.toolCallId, content: message.content };
    case "assistant":
      return message.toolCalls?.length
        ? {
            role: "assistant",
            content: message.content,
            tool_calls: message.toolCalls.map((call) => ({
              id: call.id,
              type: "function" as const,
              function: { name: call.name, arguments: call.arguments },
            })),
          }
        : { role: "assistant", content: message.content ?? "" };
    default:
      return message;
  }
}

function messages(request: ChatRequest): ChatCompletionMessageParam[] {
  if (request.messages) return request.messages.map(wireMessage);
  const list: ChatCompletionMessageParam[] = [];
  if (request.systemContext) list.push({ role: "system", content: request.systemContext });
  list.push({ role: "user", content: request.prompt });
  return list;
}

/** The request's functions as OpenAI-compatible `tools`, or nothing when it has none. */
function tools(request: ChatRequest): { tools: ChatCompletionFunctionTool[] } | Record<string, never> {
  if (!request.tools?.length) return {};
  return {
    tools: request.tools.map((tool) => ({
      type: "function" as const,
      function: { name: tool.name, description: tool.description, parameters: tool.parameters },
    })),
  };
}

/** A ModelClient over one `openai` client, created once and reused for every prompt of a run. */
export function createOpenAIModel(options: OpenAIModelOptions): ModelClient {
  const client = new OpenAI({
    apiKey: options.apiKey || "not-set",
    baseURL: options.baseURL,
    maxRetries: 0,
    timeout: options.timeoutMs,
  });
  return {
    async *stream(request, signal): AsyncIterable<ModelChunk> {
      const bound = outputBound(request);
      try {
        const response = await client.chat.completions
          .create(
            {
              model: request.model,
              messages: messages(request),
              stream: true,
              stream_options: { include_usage: true },
              ...(request.temperature === null ? {} : { temperature: request.temperature }),
              ...(bound === null ? {} : { [options.outputLimitParam]: bound }),
              ...tools(request),
            },
            { signal },
          )
          .asResponse();
        const finishReason = yield* chatChunks(response);
        // A cut connection can end the body quietly; only a finish_reason means the answer is whole.
        if (signal.aborted) throw signal.reason;
        if (finishReason === null)
          throw new ModelError("model_unavailable", "The model's stream ended before the answer was finished", true);
        yield { type: "finish", reason: finishReason };
      } catch (error) {
        throw toModelError(error);
      }
    },
  };
}
