// A scripted OpenAI-compatible chat-completions server on loopback: the only stand-in in the tests.
// Speaks real SSE `chat.completion.chunk` lines, usage chunk and `[DONE]`; can delay, hang, drop, fail.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { UpstreamAttempt, UpstreamRequestRecord, UpstreamScript } from "./scripts";

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Without a script, a model answers `echo: <last user message>` in 3-character chunks. */
function echoAttempt(userText: string): UpstreamAttempt {
  const text = `echo: ${userText}`;
  const chunks: string[] = [];
  for (let i = 0; i < text.length; i += 3) chunks.push(text.slice(i, i + 3));
  return { kind: "stream", chunks };
}

async function readBody(req: IncomingMessage): Promise<string> {
  const parts: Buffer[] = [];
  for await (const part of req) parts.push(part as Buffer);
  return Buffer.concat(parts).toString("utf8");
}

function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { "content-type": "application/json", ...headers });
  res.end(JSON.stringify(body));
}

export class ScriptedUpstream {
  private readonly scripts = new Map<string, UpstreamScript>();
  private records: UpstreamRequestRecord[] = [];
  private jwks: unknown = { keys: [] };
  private server: Server | undefined;

  /** Starts listening on 127.0.0.1; returns the base URL (no trailing slash). */
  async start(port = 0): Promise<string> {
    this.server = createServer((req, res) => {
      this.handle(req, res).catch((error: unknown) => {
        if (!res.headersSent) json(res, 500, { error: { message: String(error) } });
        else res.destroy();
      });
    });
    this.server.keepAliveTimeout = 60_000;
    await new Promise<void>((resolve) => this.server?.listen(port, "127.0.0.1", resolve));
    const { port: bound } = this.server.address() as AddressInfo;
    return `http://127.0.0.1:${bound}`;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://upstream");
    if (req.method === "POST" && url.pathname === "/__scripts") {
      const script = JSON.parse(await readBody(req)) as UpstreamScript;
      this.scripts.set(script.model, script);
      // A new script is a new scenario: its attempts count from the first again.
      this.records = this.records.filter((record) => record.model !== script.model);
      return json(res, 201, { ok: true });
    }
    if (req.method === "GET" && url.pathname === "/__requests") {
      const model = url.searchParams.get("model");
      return json(
        res,
        200,
        this.records.filter((record) => record.model === model),
      );
    }
    if (req.method === "POST" && url.pathname === "/__jwks") {
      this.jwks = JSON.parse(await readBody(req));
      return json(res, 201, { ok: true });
    }
    if (req.method === "GET" && url.pathname === "/.well-known/jwks.json") return json(res, 200, this.jwks);
    if (req.method === "POST" && url.pathname.endsWith("/chat/completions")) return this.complete(req, res);
    return json(res, 404, { error: { message: `unexpected request ${req.method} ${url.pathname}` } });
  }

  private async complete(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = JSON.parse(await readBody(req)) as UpstreamRequestRecord["body"];
    const previous = this.records.filter((record) => record.model === body.model).length;
    const record: UpstreamRequestRecord = {
      model: body.model,
      body,
      attempt: previous + 1,
      receivedAt: Date.now(),
      clientClosedAt: null,
      finishedAt: null,
      chunksSent: 0,
      authorization: req.headers.authorization ?? null,
    };
    this.records.push(record);
    res.on("close", () => {
      if (!res.writableFinished) record.clientClosedAt = Date.now();
    });
    const script = this.scripts.get(body.model);
    const lastUser = [...body.messages].reverse().find((message) => message.role === "user")?.content ?? "";
    const attempt = script
      ? (script.attempts[Math.min(previous, script.attempts.length - 1)] ?? echoAttempt(lastUser))
      : echoAttempt(lastUser);
    if (attempt.kind === "error") {
      const headers: Record<string, string> =
        attempt.retryAfter === undefined ? {} : { "retry-after": String(attempt.retryAfter) };
      return json(
        res,
        attempt.status,
        { error: { message: attempt.message ?? `scripted ${attempt.status}`, type: "scripted" } },
        headers,
      );
    }
    await this.stream(res, body, attempt, record);
  }

  private async stream(
    res: ServerResponse,
    body: UpstreamRequestRecord["body"],
    attempt: Extract<UpstreamAttempt, { kind: "stream" }>,
    record: UpstreamRequestRecord,
  ): Promise<void> {
    const id = `chatcmpl-${record.attempt}-${Math.random().toString(36).slice(2)}`;
    const created = Math.floor(Date.now() / 1000);
    const chunk = (delta: Record<string, unknown>, finish: string | null, extra: Record<string, unknown> = {}) =>
      `data: ${JSON.stringify({ id, object: "chat.completion.chunk", created, model: body.model, choices: [{ index: 0, delta, finish_reason: finish }], ...extra })}\n\n`;
    const closed = () => record.clientClosedAt !== null || res.destroyed;

    if (attempt.headersDelayMs) await sleep(attempt.headersDelayMs);
    res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache", connection: "keep-alive" });
    res.write(chunk({ role: "assistant", content: "" }, null));
    if (attempt.firstChunkDelayMs) await sleep(attempt.firstChunkDelayMs);

    const repeat = attempt.repeat ?? 1;
    // Like a real provider, the answer stops at the output bound it was sent (finish_reason "length"),
    // counting a token per 4 characters, unless the script says this endpoint ignores the bound.
    const bound = attempt.ignoreBound ? undefined : (body.max_completion_tokens ?? body.max_tokens);
    let sent = 0;
    let completionChars = 0;
    let cut = false;
    chunks: for (let r = 0; r < repeat; r++) {
      for (const text of attempt.chunks) {
        if (closed()) return;
        if (attempt.hangAfter !== undefined && sent >= attempt.hangAfter) return; // keep the socket open, say nothing
        if (attempt.dropAfter !== undefined && sent >= attempt.dropAfter) {
          // Let what was written reach the client first: the drop comes after those chunks.
          await sleep(50);
          res.destroy();
          return;
        }
        if (attempt.endAfter !== undefined && sent >= attempt.endAfter) {
          res.end();
          return;
        }
        if (attempt.errorAfter !== undefined && sent >= attempt.errorAfter) {
          const code = attempt.errorStatus ?? 500;
          const type = code === 429 ? "rate_limit_error" : code >= 500 ? "server_error" : "invalid_request_error";
          res.end(`data: ${JSON.stringify({ error: { message: `scripted mid-stream ${code}`, type, code } })}\n\n`);
          return;
        }
        if (attempt.malformedAfter !== undefined && sent >= attempt.malformedAfter) {
          res.end("data: {this is not json\n\n");
          return;
        }
        if (sent > 0 && attempt.chunkDelayMs) await sleep(attempt.chunkDelayMs);
        // Respect backpressure so huge outputs do not buffer unboundedly in this process.
        const content = attempt.stamp ? `⟨${(performance.timeOrigin + performance.now()).toFixed(3)}⟩` : text;
        if (bound !== undefined && Math.ceil((completionChars + content.length) / 4) > bound) {
          cut = true;
          break chunks;
        }
        if (!res.write(chunk({ content }, null))) await new Promise<void>((resolve) => res.once("drain", resolve));
        sent++;
        record.chunksSent = sent;
        completionChars += content.length;
      }
    }
    if (!cut && attempt.toolCalls?.length) {
      completionChars += await this.streamToolCalls(res, attempt, record, (delta) => chunk(delta, null));
      if (closed()) return;
      res.write(chunk({}, "tool_calls"));
    } else res.write(chunk({}, cut ? "length" : "stop"));
    if (body.stream_options?.include_usage) {
      const promptChars = body.messages.reduce(
        (total, message) => total + (message.content ?? "").length + JSON.stringify(message.tool_calls ?? "").length,
        0,
      );
      const scripted =
        attempt.usage === undefined
          ? { prompt_tokens: Math.ceil(promptChars / 4), completion_tokens: Math.ceil(completionChars / 4) }
          : attempt.usage;
      // What it bills may pass what it streamed (reasoning tokens), never the bound it was sent.
      const usage =
        scripted && bound !== undefined
          ? { ...scripted, completion_tokens: Math.min(scripted.completion_tokens, bound) }
          : scripted;
      if (usage) {
        res.write(
          `data: ${JSON.stringify({ id, object: "chat.completion.chunk", created, model: body.model, choices: [], usage: { ...usage, total_tokens: usage.prompt_tokens + usage.completion_tokens } })}\n\n`,
        );
      }
    }
    res.end("data: [DONE]\n\n");
    record.finishedAt = Date.now();
  }

  /** Streams the attempt's tool calls as OpenAI does (index, then id and name, then argument fragments); returns their characters. */
  private async streamToolCalls(
    res: ServerResponse,
    attempt: Extract<UpstreamAttempt, { kind: "stream" }>,
    record: UpstreamRequestRecord,
    write: (delta: Record<string, unknown>) => string,
  ): Promise<number> {
    const calls = attempt.toolCalls ?? [];
    const queues = calls.map((call, index) => {
      const fragments = typeof call.arguments === "string" ? [call.arguments] : call.arguments;
      const opening = {
        index,
        id: call.id ?? `call_${record.attempt}_${index}`,
        type: "function",
        function: { name: call.name, arguments: "" },
      };
      return [opening, ...fragments.map((fragment) => ({ index, function: { arguments: fragment } }))];
    });
    const order: Record<string, unknown>[] = [];
    if (attempt.interleaveToolCalls) {
      for (let step = 0; queues.some((queue) => step < queue.length); step++)
        for (const queue of queues) if (step < queue.length) order.push(queue[step] as Record<string, unknown>);
    } else for (const queue of queues) order.push(...queue);
    let chars = 0;
    for (const fragment of order) {
      if (record.clientClosedAt !== null || res.destroyed) return chars;
      if (attempt.chunkDelayMs) await sleep(attempt.chunkDelayMs);
      res.write(write({ tool_calls: [fragment] }));
      const args = (fragment.function as { arguments: string }).arguments;
      chars += args.length;
    }
    return chars;
  }
}
