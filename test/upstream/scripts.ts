// The scripted upstream's vocabulary: what a test can tell the fake model to do, shared by server and tests.

/** One answer to one request. Attempts are used in order; the last one repeats. */
export type UpstreamAttempt =
  | {
      kind: "error";
      status: number;
      /** Seconds, sent as Retry-After. */
      retryAfter?: number;
      message?: string;
    }
  | {
      kind: "stream";
      /** Text of each content chunk, in order. */
      chunks: string[];
      /** Repeat `chunks` this many times (for large outputs). Default 1. */
      repeat?: number;
      /** Wait before the response headers. */
      headersDelayMs?: number;
      /** Wait before the first chunk. */
      firstChunkDelayMs?: number;
      /** Wait between chunks. */
      chunkDelayMs?: number;
      /** After this many chunks stop sending but keep the connection open (hang). */
      hangAfter?: number;
      /** After this many chunks destroy the connection (drop mid-stream). */
      dropAfter?: number;
      /** After this many chunks end the response cleanly but early: no finish_reason, no [DONE]. */
      endAfter?: number;
      /** After this many chunks send a line that is not JSON. */
      malformedAfter?: number;
      /** After this many chunks send an error event in the stream (`data: {"error": …}`), as providers do mid-answer. */
      errorAfter?: number;
      /** That error's code: 500 by default (429 and 5xx are transient, 4xx is a refusal). */
      errorStatus?: number;
      /** Replace each chunk's text with its send time, `⟨ms⟩` (performance.timeOrigin + now), for latency measurements. */
      stamp?: boolean;
      /** Usage in the final chunk; omitted means computed from the text. Never above the output bound sent, unless `ignoreBound`. */
      usage?: { prompt_tokens: number; completion_tokens: number } | null;
      /** This endpoint ignores `max_completion_tokens`/`max_tokens`: it streams and bills past them. */
      ignoreBound?: boolean;
      /**
       * After the text chunks, these tool calls (index = position), then finish_reason "tool_calls": the
       * first chunk of each names it, then one chunk per argument fragment (a string is one fragment).
       */
      toolCalls?: ScriptedToolCall[];
      /** Send the calls' fragments round robin (call 0, call 1, call 0 …) instead of one call after another. */
      interleaveToolCalls?: boolean;
    };

/** A tool call the scripted model makes. `arguments` need not be JSON: tests send invalid JSON on purpose. */
export interface ScriptedToolCall {
  /** Omitted: `call_<attempt>_<index>`. */
  id?: string;
  /** The function name; a name the request did not offer is a call to an unknown tool. */
  name: string;
  arguments: string | string[];
}

/** One message as the upstream received it (OpenAI wire format). */
export interface UpstreamMessage {
  role: string;
  content: string | null;
  tool_calls?: { id: string; type: string; function: { name: string; arguments: string } }[];
  tool_call_id?: string;
}

export interface UpstreamScript {
  /** Used as the prompt's model name: the upstream finds the script by the request's `model`. */
  model: string;
  attempts: UpstreamAttempt[];
}

/** What the upstream saw of one request. */
export interface UpstreamRequestRecord {
  model: string;
  body: {
    model: string;
    messages: UpstreamMessage[];
    /** The functions offered (an agent step). */
    tools?: { type: string; function: { name: string; description?: string; parameters?: unknown } }[];
    stream?: boolean;
    temperature?: number;
    max_tokens?: number;
    max_completion_tokens?: number;
    stream_options?: { include_usage?: boolean };
  };
  attempt: number;
  receivedAt: number;
  /** Time the client went away before the response ended (cancel/abort), if it did. */
  clientClosedAt: number | null;
  finishedAt: number | null;
  chunksSent: number;
  authorization: string | null;
}
