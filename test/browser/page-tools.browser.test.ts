// The tool list: each tool with its description; the tools used last first, or the newest first.
import { describe, expect, it } from "vitest";
import { apiCall, base, createTool, screenshot, signedIn, useBrowser } from "./page-helpers";

useBrowser();

describe("the tool list", () => {
  it("shows descriptions and puts the tools used last first, or the newest first", async () => {
    const { page, token } = await signedIn(1280);
    const tool = (name: string, description: string) => ({
      name,
      description,
      inputFields: [{ name: "topic", label: "Topic", type: "text", required: true }],
      prompts: [{ name: "only", position: 0, model: "demo", content: "{{topic}}" }],
    });
    const used = await createTool(token, tool("Reading passage", "A short passage at the class's level."));
    await createTool(token, tool("Exit ticket", "Three quick questions to end a lesson."));
    const { id } = await apiCall<{ id: string }>(token, "/api/executions", { toolId: used, inputs: { topic: "owls" } });
    await expect
      .poll(async () => (await apiCall<{ status: string }>(token, `/api/executions/${id}`)).status)
      .toBe("completed");
    await page.goto(`${base()}/#/`);
    const names = () => page.getByRole("list", { name: "Tools" }).getByRole("heading").allInnerTexts();
    await page.getByText("Three quick questions to end a lesson.").waitFor();
    const mine = (all: string[]) => all.filter((name) => name === "Reading passage" || name === "Exit ticket");
    expect(mine(await names())).toEqual(["Reading passage", "Exit ticket"]);
    await screenshot(page, "tools");
    await page.getByLabel("Order").selectOption("created");
    await expect.poll(async () => mine(await names())).toEqual(["Exit ticket", "Reading passage"]);
    expect(page.url()).toContain("sort=created");
    await page.close();
  });
});
