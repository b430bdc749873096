// Finding runs again: GET /api/executions?q= matches the inputs and the output previews (each prompt's
// first 280 characters), case-insensitively, wildcards taken literally; each list item carries its
// outputPreview (SPEC §13); GET /api/tools?sort=lastUsed orders tools by the caller's latest run.
import { describe, expect, it } from "vitest";
import { apiJson } from "../helpers/api";
import { newUser } from "../helpers/auth";
import { createToolFor, followEvents, startExecution } from "../helpers/executions";
import { lessonPlanner, type TestToolBody } from "../helpers/tools";
import { scriptModel, streamOf } from "../helpers/upstream";

type ListPage = { executions: { id: string; outputPreview: string | null }[]; nextCursor: string | null };

const search = async (user: string, query: string) =>
  (await apiJson<ListPage>(`/api/executions?${query}`, { user })).body.executions.map((item) => item.id);

async function runToEnd(user: string, toolId: string, inputs: Record<string, unknown>): Promise<string> {
  const { id } = await startExecution(user, toolId, inputs);
  await followEvents(user, id);
  return id;
}

const tagged: Pick<TestToolBody, "inputFields"> = {
  inputFields: [
    { name: "topic", label: "Topic", type: "text", required: true },
    { name: "tags", label: "Tags", type: "multi_select", options: ["Volcanoes", "50%_off"] },
  ],
};

describe("GET /api/executions?q=", () => {
  it("finds runs by an input value (lists too) or a word of an output, in any case of A–Z", async () => {
    const user = newUser();
    const aboutRivers = await createToolFor(user, {
      ...lessonPlanner(await scriptModel(streamOf("Rivers carve CANYONS slowly."))),
      ...tagged,
      prompts: [
        {
          name: "only",
          position: 0,
          model: await scriptModel(streamOf("Rivers carve CANYONS slowly.")),
          content: "{{topic}}",
        },
      ],
    });
    const aboutStars = await createToolFor(user, {
      ...lessonPlanner("demo"),
      ...tagged,
      prompts: [
        { name: "only", position: 0, model: await scriptModel(streamOf("Stars are hot.")), content: "{{topic}}" },
      ],
    });
    const rivers = await runToEnd(user, aboutRivers.id, { topic: "Erosion for grade 4" });
    const stars = await runToEnd(user, aboutStars.id, { topic: "Astronomy", tags: ["Volcanoes"] });
    expect(await search(user, "q=canyons")).toEqual([rivers]);
    expect(await search(user, "q=EROSION")).toEqual([rivers]);
    expect(await search(user, "q=volcanoes")).toEqual([stars]);
    expect(await search(user, `q=${encodeURIComponent("  hot.  ")}`)).toEqual([stars]);
    expect(await search(user, "q=nowhere")).toEqual([]);
    expect(await search(user, "q=")).toEqual([stars, rivers]);
    expect(await search(user, `q=s&toolId=${aboutRivers.id}`)).toEqual([rivers]);
    // Someone else's runs are never found.
    expect(await search(newUser(), "q=canyons")).toEqual([]);
  });

  it("takes % _ and \\ literally", async () => {
    const user = newUser();
    const model = await scriptModel(streamOf("plain"));
    const tool = await createToolFor(user, {
      ...lessonPlanner(model),
      ...tagged,
      prompts: [{ name: "only", position: 0, model, content: "{{topic}}" }],
    });
    const percent = await runToEnd(user, tool.id, { topic: "a", tags: ["50%_off"] });
    const backslash = await runToEnd(user, tool.id, { topic: "C:\\path" });
    const other = await runToEnd(user, tool.id, { topic: "50 percent off" });
    expect(await search(user, `q=${encodeURIComponent("0%_o")}`)).toEqual([percent]);
    expect(await search(user, `q=${encodeURIComponent("%")}`)).toEqual([percent]);
    expect(await search(user, `q=${encodeURIComponent("_")}`)).toEqual([percent]);
    expect(await search(user, `q=${encodeURIComponent(":\\p")}`)).toEqual([backslash]);
    expect(await search(user, "q=percent")).toEqual([other]);
  });

  it("searches only the first 280 characters of each output (what the previews keep)", async () => {
    const user = newUser();
    const model = await scriptModel(streamOf(`${"a".repeat(279)}Z tail-word`, 50));
    const tool = await createToolFor(user, {
      ...lessonPlanner(model),
      prompts: [{ name: "only", position: 0, model, content: "{{topic}}" }],
    });
    const id = await runToEnd(user, tool.id, { topic: "x" });
    expect(await search(user, "q=aZ")).toEqual([id]);
    expect(await search(user, "q=tail-word")).toEqual([]);
  });

  it("refuses a q over 200 characters", async () => {
    const user = newUser();
    expect((await apiJson(`/api/executions?q=${"x".repeat(201)}`, { user })).status).toBe(400);
    expect((await apiJson(`/api/executions?q=${"x".repeat(200)}`, { user })).status).toBe(200);
  });
});

describe("outputPreview in the list", () => {
  it("is the first 280 code points of the last prompt with output: highest position, then last in run order", async () => {
    const user = newUser();
    const emoji = "😀".repeat(300);
    const tool = await createToolFor(user, {
      ...lessonPlanner("demo"),
      prompts: [
        { name: "first", position: 0, model: await scriptModel(streamOf("first")), content: "{{topic}}" },
        { name: "left", position: 1, model: await scriptModel(streamOf("left")), content: "{{first}}" },
        { name: "right", position: 1, model: await scriptModel(streamOf(emoji, 40)), content: "{{first}}" },
      ],
    });
    await runToEnd(user, tool.id, { topic: "x" });
    const [item] = (await apiJson<ListPage>("/api/executions", { user })).body.executions;
    expect([...(item?.outputPreview ?? "")]).toHaveLength(280);
    expect(item?.outputPreview).toBe("😀".repeat(280));
  });

  it("skips prompts without output (a failed last prompt), and is null when nothing was output", async () => {
    const user = newUser();
    const refused = await scriptModel({ kind: "error", status: 400, message: "no" });
    const tool = await createToolFor(user, {
      ...lessonPlanner("demo"),
      onPromptError: "continue",
      prompts: [
        { name: "first", position: 0, model: await scriptModel(streamOf("kept answer")), content: "{{topic}}" },
        { name: "last", position: 1, model: refused, content: "{{first}}" },
      ],
    });
    await runToEnd(user, tool.id, { topic: "x" });
    const nothing = await createToolFor(user, {
      ...lessonPlanner("demo"),
      prompts: [{ name: "only", position: 0, model: refused, content: "{{topic}}" }],
    });
    await runToEnd(user, nothing.id, { topic: "x" });
    const items = (await apiJson<ListPage>("/api/executions", { user })).body.executions;
    expect(items.map((item) => item.outputPreview)).toEqual([null, "kept answer"]);
  });
});

describe("GET /api/tools?sort=lastUsed", () => {
  it("orders tools by the caller's latest run of each; tools never run come after, newest first", async () => {
    const user = newUser();
    const other = newUser();
    const model = await scriptModel(streamOf("x"));
    const make = async (name: string, visibility: "private" | "shared" = "private") =>
      (await createToolFor(user, { ...lessonPlanner(model), name, visibility })).id;
    const a = await make("A");
    const b = await make("B", "shared");
    const c = await make("C");
    const d = await make("D");
    await runToEnd(user, b, { topic: "x" });
    await runToEnd(user, a, { topic: "x" });
    // Another user's run of the shared tool does not count for this user.
    await runToEnd(other, b, { topic: "x" });
    const names = async (query: string) =>
      (await apiJson<{ tools: { id: string }[] }>(`/api/tools?scope=mine${query}`, { user })).body.tools.map(
        (tool) => tool.id,
      );
    expect(await names("&sort=lastUsed")).toEqual([a, b, d, c]);
    expect(await names("")).toEqual([d, c, b, a]);
    expect(await names("&sort=created")).toEqual([d, c, b, a]);
    expect((await apiJson("/api/tools?sort=popular", { user })).status).toBe(400);
  });
});
