// The thinnest relay of the scripted upstream (bench only): the `openai` SDK's stream straight to SSE.
// The baseline route and the trivial Durable Object both serve it.
import OpenAI from "openai";

const encoder = new TextEncoder();

/** Relays `model`'s answer to `prompt` as SSE frames; `waitUntil` keeps the relaying alive after the response. */
export async function relay(env: Env, model: string, prompt: string, waitUntil: (work: Promise<unknown>) => void) {
  const client = new OpenAI({ apiKey: env.OPENAI_API_KEY || "bench", baseURL: env.OPENAI_BASE_URL, maxRetries: 0 });
  const stream = await client.chat.completions.create({
    model,
    messages: [{ role: "user", content: prompt }],
    stream: true,
    stream_options: { include_usage: true },
  });
  const { readable, writable } = new TransformStream<Uint8Array, Uint8Array>();
  const writer = writable.getWriter();
  waitUntil(
    (async () => {
      let id = 0;
      for await (const chunk of stream) {
        const delta = chunk.choices[0]?.delta?.content;
        if (delta)
          await writer.write(
            encoder.encode(`id: ${++id}\nevent: prompt.delta\ndata: ${JSON.stringify({ delta })}\n\n`),
          );
      }
      await writer.write(encoder.encode(`id: ${++id}\nevent: execution.completed\ndata: {}\n\n`));
      await writer.close();
    })(),
  );
  return new Response(readable, { headers: { "Content-Type": "text/event-stream" } });
}
