// Runs the JavaScript blocks of docs/client.md exactly as written, against the real Worker.
import { readFileSync } from "node:fs";
import { EventSource } from "eventsource";
import { describe, expect, it } from "vitest";
import { createClient, foldEvent } from "../../src/client";
import { apiJson, baseUrl, createTool, newUser, scriptModel, signToken } from "./helpers";

type Snippet = (baseUrl: string, token: string, ...ids: string[]) => Promise<unknown>;

function loadSnippets(): Record<string, Snippet> {
  const markdown = readFileSync("docs/client.md", "utf8");
  const blocks = [...markdown.matchAll(/```js\n([\s\S]*?)```/g)].map((match) => match[1] ?? "");
  const names = blocks
    .map((block) => /async function (\w+)/.exec(block)?.[1])
    .filter((name): name is string => Boolean(name));
  const body = `${blocks.join("\n")}\nreturn { ${names.join(", ")} };`;
  // The docs' imports, provided as globals a browser page or module would have.
  const make = new Function("EventSource", "createClient", "foldEvent", body) as (
    ...args: unknown[]
  ) => Record<string, Snippet>;
  return make(EventSource, createClient, foldEvent);
}

describe("docs/client.md", () => {
  const snippets = loadSnippets();

  it("has the seven snippets", () => {
    expect(Object.keys(snippets).sort()).toEqual([
      "followThenStop",
      "followWithEventSource",
      "rerunFailed",
      "runWithClient",
      "runWithFetch",
      "startThenCancel",
      "tryDraftThenFind",
    ]);
  });

  it("followThenStop ends its loop on abort without throwing, and the run goes on until canceled", async () => {
    const user = newUser();
    const tool = await createTool(
      user,
      await scriptModel({ kind: "stream", chunks: ["slow "], repeat: 100, chunkDelayMs: 50 }),
    );
    expect(await snippets.followThenStop?.(baseUrl(), signToken(user), tool.id)).toEqual([
      "execution.started",
      "prompt.started",
    ]);
  });

  it("tryDraftThenFind runs an unsaved tool and finds the run by its input", async () => {
    const result = (await snippets.tryDraftThenFind?.(baseUrl(), signToken(newUser()))) as {
      toolId: string | null;
      found: [boolean, string | null][];
    };
    expect(result.toolId).toBeNull();
    expect(result.found).toEqual([[true, "Three questions about glaciers."]]);
  });

  it("followWithEventSource streams a run to its end", async () => {
    const user = newUser();
    const tool = await createTool(
      user,
      await scriptModel({ kind: "stream", chunks: ["Native ", "EventSource"], chunkDelayMs: 5 }),
    );
    const result = (await snippets.followWithEventSource?.(baseUrl(), signToken(user), tool.id)) as {
      end: string;
      outputs: Record<string, string>;
    };
    expect(result.end).toBe("execution.completed");
    expect(result.outputs[tool.prompts[0]!.id]).toBe("Native EventSource");
  });

  it("runWithFetch reads the original frames", async () => {
    const user = newUser();
    const tool = await createTool(user, await scriptModel({ kind: "stream", chunks: ["fetch ", "frames"] }));
    const result = (await snippets.runWithFetch?.(baseUrl(), signToken(user), tool.id)) as {
      executionId: string;
      frames: { type: string; token?: string }[];
    };
    expect(result.frames.map((frame) => frame.type)).toEqual([
      "metadata",
      "prompt_start",
      "token",
      "token",
      "prompt_complete",
      "complete",
    ]);
    expect(
      result.frames
        .filter((frame) => frame.type === "token")
        .map((frame) => frame.token)
        .join(""),
    ).toBe("fetch frames");
  });

  it("runWithClient folds the run into per-prompt state", async () => {
    const user = newUser();
    const tool = await createTool(user, await scriptModel({ kind: "stream", chunks: ["typed ", "client"] }));
    const state = (await snippets.runWithClient?.(baseUrl(), signToken(user), tool.id)) as {
      status: string;
      prompts: { output: string }[];
    };
    expect(state.status).toBe("completed");
    expect(state.prompts[0]?.output).toBe("typed client");
  });

  it("startThenCancel cancels a running execution", async () => {
    const user = newUser();
    const tool = await createTool(user, await scriptModel({ kind: "stream", chunks: ["x", "never"], hangAfter: 1 }));
    expect(await snippets.startThenCancel?.(baseUrl(), signToken(user), tool.id)).toBe("canceled");
  });

  it("rerunFailed reruns a failed prompt on another model", async () => {
    const user = newUser();
    const tool = await createTool(user, await scriptModel({ kind: "error", status: 400, message: "refused" }));
    const failed = await apiJson<{ id: string }>("/api/executions", user, { toolId: tool.id, inputs: { topic: "t" } });
    await expect
      .poll(async () => (await apiJson<{ status: string }>(`/api/executions/${failed.id}`, user)).status)
      .toBe("failed");
    const model = await scriptModel({ kind: "stream", chunks: ["second ", "try"] });
    const state = (await snippets.rerunFailed?.(baseUrl(), signToken(user), failed.id, tool.prompts[0]!.id, model)) as {
      status: string;
      prompts: { output: string }[];
    };
    expect(state.status).toBe("completed");
    expect(state.prompts[0]?.output).toBe("second try");
  });
});
