// The Durable Streams peer: the protocol's Node reference server (`@durable-streams/server`, file-backed,
// so a stream outlives the process as ours does) and, in the same process, the producer a user would
// write: POST /runs?model=… creates a JSON stream, answers its URL at once, then relays the scripted
// upstream with the `openai` SDK, each delta appended through the client's recommended
// `IdempotentProducer` (batching, exactly-once), and closes the stream at the end. Readers follow the
// URL with offsets. No auth and no records: it does less than ours. Environment: PORT, STREAMS_PORT,
// DATA_DIR, UPSTREAM_URL.
import { randomUUID } from "node:crypto";
import { createServer } from "node:http";
import { DurableStream, IdempotentProducer } from "@durable-streams/client";
import { DurableStreamTestServer } from "@durable-streams/server";
import OpenAI from "openai";

const { PORT, STREAMS_PORT, DATA_DIR, UPSTREAM_URL } = process.env;
const upstream = new OpenAI({ apiKey: "bench", baseURL: `${UPSTREAM_URL}/v1`, maxRetries: 0 });
const streams = new DurableStreamTestServer({ port: Number(STREAMS_PORT), host: "127.0.0.1", dataDir: DATA_DIR });
await streams.start();

/** Append requests sent to the streams server (each one a batch the store writes). */
let appends = 0;
const countingFetch: typeof fetch = (input, init) => {
  if (init?.method === "POST") appends++;
  return fetch(input, init);
};

async function relay(handle: DurableStream, model: string): Promise<void> {
  const producer = new IdempotentProducer(handle, `relay-${randomUUID()}`, { autoClaim: true, fetch: countingFetch });
  const completion = await upstream.chat.completions.create({
    model,
    messages: [{ role: "user", content: "bench" }],
    stream: true,
    stream_options: { include_usage: true },
  });
  for await (const chunk of completion) {
    const delta = chunk.choices[0]?.delta?.content;
    if (delta) producer.append(JSON.stringify({ delta }));
  }
  await producer.close();
}

const server = createServer((req, res) => {
  const url = new URL(req.url ?? "/", "http://peer");
  if (req.method === "GET" && url.pathname === "/appends") return void res.end(JSON.stringify({ appends }));
  if (req.method !== "POST" || url.pathname !== "/runs") return void res.writeHead(404).end();
  const streamUrl = `${streams.url}/v1/stream/runs/${randomUUID()}`;
  DurableStream.create({ url: streamUrl, contentType: "application/json", fetch: countingFetch })
    .then((handle) => {
      res.writeHead(201, { "Content-Type": "application/json" }).end(JSON.stringify({ url: streamUrl }));
      return relay(handle, url.searchParams.get("model") ?? "");
    })
    .catch((error: unknown) => {
      console.error(error);
      if (!res.headersSent) res.writeHead(500).end();
    });
});
server.keepAliveTimeout = 60_000;
server.listen(Number(PORT), "127.0.0.1", () => console.log("ready"));
