// The Vercel `resumable-stream` peer: a plain Node server that relays the scripted upstream with the
// `openai` SDK as AI SDK-style SSE (`data: {"type":"text-delta",…}`), through resumable-stream on
// Redis, in the README's "explicit resumption" set-up: POST /streams/:id creates and streams, GET
// /streams/:id?resumeAt=N resumes after N characters. No auth and no records: it does less than ours.
// Run as its own process: PORT, REDIS_URL, UPSTREAM_URL in the environment.
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import OpenAI from "openai";
import { createResumableStreamContext } from "resumable-stream";

const { PORT, UPSTREAM_URL } = process.env;
const upstream = new OpenAI({ apiKey: "bench", baseURL: `${UPSTREAM_URL}/v1`, maxRetries: 0 });
// REDIS_URL is read by the library; it opens its own publisher and subscriber.
const streams = createResumableStreamContext({ waitUntil: null });

const frame = (value: unknown) => `data: ${JSON.stringify(value)}\n\n`;

function relay(model: string): ReadableStream<string> {
  return new ReadableStream<string>({
    async start(controller) {
      const completion = await upstream.chat.completions.create({
        model,
        messages: [{ role: "user", content: "bench" }],
        stream: true,
        stream_options: { include_usage: true },
      });
      controller.enqueue(frame({ type: "text-start", id: "0" }));
      for await (const chunk of completion) {
        const delta = chunk.choices[0]?.delta?.content;
        if (delta) controller.enqueue(frame({ type: "text-delta", id: "0", delta }));
      }
      controller.enqueue(frame({ type: "text-end", id: "0" }));
      controller.enqueue(frame({ type: "finish" }));
      controller.enqueue("data: [DONE]\n\n");
      controller.close();
    },
  });
}

async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? "/", "http://peer");
  const id = url.pathname.match(/^\/streams\/([\w-]+)$/)?.[1];
  if (!id) return void res.writeHead(404).end();
  const stream =
    req.method === "POST"
      ? await streams.createNewResumableStream(id, () => relay(url.searchParams.get("model") ?? ""))
      : await streams.resumeExistingStream(id, Number(url.searchParams.get("resumeAt") ?? 0) || undefined);
  if (!stream) return void res.writeHead(422).end("Stream is already done");
  res.writeHead(200, { "Content-Type": "text/event-stream", "Cache-Control": "no-cache" });
  for await (const text of stream) res.write(text);
  res.end();
}

const server = createServer((req, res) => {
  handle(req, res).catch(() => res.destroy());
});
server.keepAliveTimeout = 60_000;
server.listen(Number(PORT), "127.0.0.1", () => console.log("ready"));
