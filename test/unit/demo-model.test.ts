import { describe, expect, it } from "vitest";
import { createDemoModel } from "../../src/models/demo-model";
import type { ModelChunk } from "../../src/models/types";

async function collect(stream: AsyncIterable<ModelChunk>): Promise<ModelChunk[]> {
  const chunks: ModelChunk[] = [];
  for await (const chunk of stream) chunks.push(chunk);
  return chunks;
}

describe("the offline demo model", () => {
  it("streams its prompt back word by word, then usage", async () => {
    const prompt = "Outline a lesson on  fractions\nfor grade 2.";
    const chunks = await collect(
      createDemoModel(0).stream(
        { model: "demo", prompt, systemContext: "sys", temperature: null, maxTokens: null },
        new AbortController().signal,
      ),
    );
    const deltas = chunks.flatMap((chunk) => (chunk.type === "delta" ? [chunk.text] : []));
    expect(deltas.join("")).toBe(prompt);
    expect(deltas.length).toBeGreaterThan(5);
    expect(chunks.at(-1)).toEqual({
      type: "usage",
      usage: { inputTokens: Math.ceil((3 + prompt.length) / 4), outputTokens: Math.ceil(prompt.length / 4) },
    });
  });

  it("stops when aborted", async () => {
    const controller = new AbortController();
    const stream = createDemoModel(5).stream(
      { model: "demo", prompt: "one two three four five six", systemContext: null, temperature: null, maxTokens: null },
      controller.signal,
    );
    const seen: string[] = [];
    await expect(
      (async () => {
        for await (const chunk of stream) {
          if (chunk.type === "delta") seen.push(chunk.text);
          if (seen.length === 2) controller.abort(new Error("stop"));
        }
      })(),
    ).rejects.toThrow("stop");
    expect(seen).toHaveLength(2);
  });
});
