// The editor keeps up with the author: placeholder lists, step titles and checks follow every keystroke;
// a step that uses no input and no earlier answer gets a warning (the save still goes through); when a
// step runs is a choice between "after" and "alongside" the step before it; sections fold; "Try it" runs
// the tool being edited, unsaved; "Duplicate" makes an editable copy.
import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { apiCall, base, createTool, screenshot, signedIn, useBrowser } from "./page-helpers";

useBrowser();

const optionsOf = (page: Page, id: string) => page.locator(`#${id} option`).allInnerTexts();
const summary = async (page: Page, i: number) =>
  (await page.locator(`[data-path="prompts.${i}"] > summary`).innerText()).trim();

async function newTool(page: Page, name: string): Promise<void> {
  await page.goto(`${base()}/#/tools/new`);
  await page.getByRole("heading", { name: "New tool" }).waitFor();
  await page.getByLabel("Name", { exact: true }).fill(name);
}

describe("the editor, as the author types", () => {
  it("offers a step named a moment ago in the placeholder list, and titles follow the names", async () => {
    const { page } = await signedIn(1280);
    await newTool(page, "Live lists");
    await page.getByRole("button", { name: "Add step" }).click();
    await page.getByRole("button", { name: "Add step" }).click();
    await page.locator("#p0-name").fill("outline");
    await page.locator("#p1-name").fill("activity");
    await page.locator("#p2-name").fill("handout");
    // Nothing but typing happened: the third step already offers both earlier answers.
    expect(await optionsOf(page, "p2-placeholders")).toEqual([
      "Insert a placeholder…",
      "{{topic}}",
      "{{outline}}",
      "{{activity}}",
    ]);
    expect(await summary(page, 2)).toBe("Step 3: handout runs after step 2");
    expect(await page.getByRole("button", { name: "Move step handout up" }).isVisible()).toBe(true);
    expect(await optionsOf(page, "p2-when")).toEqual([
      "After step 2 (activity)",
      "Alongside step 2 (activity), at the same time",
    ]);
    // Alongside step 2, the third step can no longer use its answer.
    await page.locator("#p2-when").selectOption("alongside");
    expect(await summary(page, 2)).toBe("Step 3: handout runs alongside step 2");
    expect(await optionsOf(page, "p2-placeholders")).toEqual(["Insert a placeholder…", "{{topic}}", "{{outline}}"]);
    await page.locator("#p2-content").fill("Use {{activity}}");
    await page.locator("#p2-problems").getByText("{{activity}} is step 2's answer, which is not ready").waitFor();
    // A field renamed is offered at once, its old name gone.
    await page.locator("#f0-name").fill("subject");
    expect(await optionsOf(page, "p1-placeholders")).toContain("{{subject}}");
    expect(await optionsOf(page, "p1-placeholders")).not.toContain("{{topic}}");
    await page.close();
  });

  it("warns about a step that uses no input and no earlier answer, and still saves it", async () => {
    const { page, token } = await signedIn(1280);
    await newTool(page, "Unchained");
    await page.getByRole("button", { name: "Add step" }).click();
    await page.locator("#p1-name").fill("poem");
    await page.locator("#p1-content").fill("Write a poem.");
    const warning = page.locator("#p1-problems").getByText("uses no input and no earlier step's answer");
    await warning.waitFor();
    expect(await page.locator('[data-path="prompts.1"] .badge').innerText()).toBe("1 warning");
    await page.getByText("1 step has a warning: you can save anyway.").waitFor();
    // Using an earlier answer clears it.
    await page.locator("#p1-placeholders").selectOption("answer");
    expect(await page.locator("#p1-content").inputValue()).toBe("Write a poem.{{answer}}");
    expect(await warning.count()).toBe(0);
    await page.locator("#p1-content").fill("Write a poem.");
    await page.getByRole("button", { name: "Save tool" }).click();
    await page.getByRole("heading", { name: "Unchained", exact: true }).waitFor();
    const tools = await apiCall<{ tools: { name: string }[] }>(token, "/api/tools?scope=mine");
    expect(tools.tools.map((tool) => tool.name)).toEqual(["Unchained"]);
    await page.close();
  });

  it("folds its sections", async () => {
    const { page } = await signedIn(1280);
    await newTool(page, "Folding");
    expect(await page.locator("#f0-label").isVisible()).toBe(true);
    await page.getByRole("heading", { name: "Input fields" }).click();
    expect(await page.locator("#f0-label").isVisible()).toBe(false);
    await page.locator('[data-path="prompts.0"] > summary').click();
    expect(await page.locator("#p0-content").isVisible()).toBe(false);
    await page.close();
  });

  it("runs the tool being edited with sample inputs, streaming, without saving it", async () => {
    const { page, token } = await signedIn(1280);
    await newTool(page, "Not saved yet");
    await page.getByLabel("Description (shown in the tool list)").fill("Facts, then a quiz on them.");
    await page.locator("#p0-content").fill("Tell me three facts about {{topic}}.");
    await page.getByRole("button", { name: "Add step" }).click();
    await page.locator("#p1-name").fill("quiz");
    await page.locator("#p1-content").fill("Write a quiz from: ");
    await page.locator("#p1-placeholders").selectOption("answer");
    const pane = page.getByRole("region", { name: "Try it" });
    await pane.getByLabel("Topic (required)").fill("volcanoes");
    await pane.getByRole("button", { name: "Try it" }).click();
    await pane.getByRole("status").filter({ hasText: "Completed" }).waitFor({ timeout: 20_000 });
    expect((await pane.locator('article[data-prompt="answer"] pre.raw').textContent())?.trim()).toBe(
      "Tell me three facts about volcanoes.",
    );
    expect((await pane.locator('article[data-prompt="quiz"] pre.raw').textContent())?.trim()).toBe(
      "Write a quiz from: Tell me three facts about volcanoes.",
    );
    await page.evaluate("window.scrollTo(0, 0)");
    await screenshot(page, "editor");
    expect((await apiCall<{ tools: unknown[] }>(token, "/api/tools?scope=mine")).tools).toEqual([]);
    const runs = await apiCall<{ executions: { toolId: string | null; toolName: string }[] }>(token, "/api/executions");
    expect(runs.executions).toEqual([expect.objectContaining({ toolId: null, toolName: "Not saved yet" })]);
    // A problem with the tool is shown beside the step it concerns, as a save's would be.
    await page.locator("#p1-content").fill("About {{nothing}}");
    await pane.getByRole("button", { name: "Try it" }).click();
    await expect.poll(() => page.locator('[id="err-prompts.1"]').innerText()).toContain("{{nothing}}");
    await page.close();
  });

  it("duplicates a tool into an editable copy that saves as a new tool", async () => {
    const { page, token } = await signedIn(1280);
    const original = await createTool(token, {
      name: "Quiz maker",
      description: "Five questions on a topic.",
      inputFields: [{ name: "topic", label: "Topic", type: "text", required: true }],
      prompts: [{ name: "quiz", position: 0, model: "demo", content: "Five questions on {{topic}}" }],
    });
    await page.reload();
    await page.getByText("Five questions on a topic.").waitFor();
    await page.getByRole("link", { name: "Duplicate Quiz maker" }).click();
    await page.getByRole("heading", { name: "New tool" }).waitFor();
    expect(await page.getByLabel("Name", { exact: true }).inputValue()).toBe("Quiz maker (copy)");
    await page.locator("#p0-content").fill("Ten questions on {{topic}}");
    await page.getByRole("button", { name: "Save tool" }).click();
    await page.getByRole("heading", { name: "Quiz maker (copy)", exact: true }).waitFor();
    const tools = await apiCall<{ tools: { id: string; name: string }[] }>(token, "/api/tools?scope=mine");
    expect(tools.tools.map((tool) => tool.name).sort()).toEqual(["Quiz maker", "Quiz maker (copy)"]);
    const kept = await apiCall<{ prompts: { content: string }[] }>(token, `/api/tools/${original}`);
    expect(kept.prompts[0]?.content).toBe("Five questions on {{topic}}");
    await page.close();
  });
});
