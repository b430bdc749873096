// The editor, complete: remove and reorder fields and prompts, the model from the catalogue with its
// price, system context, temperature, max tokens, what a failed prompt does, a budget, placeholders
// from a list; delete a tool after confirming.
import { describe, expect, it } from "vitest";
import { apiCall, base, createTool, signedIn, useBrowser } from "./page-helpers";

useBrowser();

interface SavedTool {
  id: string;
  onPromptError: string;
  budget: { maxCostMicros: number } | null;
  inputFields: { name: string }[];
  prompts: {
    name: string;
    position: number;
    model: string;
    content: string;
    systemContext: string | null;
    temperature: number | null;
    maxTokens: number | null;
  }[];
}

const threeOfEach = {
  name: "Editable",
  inputFields: [
    { name: "topic", label: "Topic", type: "text", required: true },
    { name: "grade", label: "Grade", type: "text" },
    { name: "length", label: "Length", type: "text" },
  ],
  prompts: [
    { name: "first", position: 0, model: "gpt-unlisted", content: "One {{topic}}" },
    { name: "second", position: 1, model: "demo", content: "Two" },
    { name: "third", position: 2, model: "demo", content: "Three" },
  ],
};

describe("the editor", () => {
  it("removes and reorders, picks the model from the catalogue, sets every prompt setting and a budget", async () => {
    const { page, token } = await signedIn();
    const id = await createTool(token, threeOfEach);
    await page.goto(`${base()}/#/tools/${id}/edit`);
    await page.getByRole("heading", { name: "Edit tool" }).waitFor();
    await page.getByRole("button", { name: "Remove field grade" }).click();
    await page.getByRole("button", { name: "Move step third up" }).click();
    const model = page.locator("#p0-model");
    await model.locator("option", { hasText: "demo (free)" }).waitFor({ state: "attached" });
    expect(await model.inputValue()).toBe("gpt-unlisted");
    expect(await model.locator("option").allInnerTexts()).toContain("gpt-unlisted (not in the catalogue: no price)");
    await model.selectOption("demo");
    await page.locator('[data-path="prompts.0"]').getByText("More settings").click();
    await page.locator("#p0-system").fill("You are a teacher.");
    await page.locator("#p0-temperature").fill("0.4");
    await page.locator("#p0-max-tokens").fill("300");
    await page.locator("#p0-content").fill("One ");
    await page.locator("#p0-placeholders").selectOption("length");
    await page.getByLabel("When a step fails").selectOption("continue");
    await page.getByLabel("Budget per run in USD (optional)").fill("0.25");
    await page.getByRole("button", { name: "Save tool" }).click();
    await page.getByRole("heading", { name: "Editable", exact: true }).waitFor();
    const saved = await apiCall<SavedTool>(token, `/api/tools/${id}`);
    expect(saved.inputFields.map((field) => field.name)).toEqual(["topic", "length"]);
    expect(saved.onPromptError).toBe("continue");
    expect(saved.budget).toEqual({ maxCostMicros: 250_000 });
    expect(saved.prompts.map((prompt) => prompt.name)).toEqual(["first", "third", "second"]);
    expect(saved.prompts[0]).toMatchObject({
      model: "demo",
      content: "One {{length}}",
      systemContext: "You are a teacher.",
      temperature: 0.4,
      maxTokens: 300,
    });
    await page.close();
  });

  it("deletes a tool only after the confirmation is accepted", async () => {
    const { page, token } = await signedIn();
    const id = await createTool(token, { ...threeOfEach, name: "Doomed" });
    await page.goto(`${base()}/#/tools/${id}/edit`);
    page.once("dialog", (dialog) => void dialog.dismiss());
    await page.getByRole("button", { name: "Delete tool" }).click();
    expect(await page.getByRole("heading", { name: "Edit tool" }).isVisible()).toBe(true);
    page.once("dialog", (dialog) => {
      expect(dialog.message()).toContain('Delete the tool "Doomed"?');
      void dialog.accept();
    });
    await page.getByRole("button", { name: "Delete tool" }).click();
    await page.getByRole("heading", { name: "Tools" }).waitFor();
    expect(await page.getByText("Doomed").count()).toBe(0);
    const response = await fetch(`${base()}/api/tools/${id}`, { headers: { Authorization: `Bearer ${token}` } });
    expect(response.status).toBe(404);
    await page.close();
  });
});
