// The editor's "Agent step" section: tools picked from GET /api/mcp/tools (the Worker's offline demo
// servers, each tool with its description and whether it asks first; a server listed under `errors`
// shown as unavailable) and from the author's saved tools as assistants, max steps; saved, read back, changed;
// by keyboard; no axe violation; no sideways scrolling at 360 px.
import { describe, expect, it } from "vitest";
import { accessibilityProblems, apiCall, base, createTool, signedIn, useBrowser } from "./page-helpers";

useBrowser();

interface SavedTool {
  prompts: { name: string; tools?: string[]; maxSteps?: number }[];
}

const planner = {
  name: "Agent planner",
  inputFields: [{ name: "topic", label: "Topic", type: "text", required: true }],
  prompts: [{ name: "plan", position: 0, model: "demo", content: "Plan a lesson on {{topic}}." }],
};

const helper = {
  name: "Helper summary",
  description: "Summarises a text for parents",
  inputFields: [{ name: "text", label: "Text", type: "textarea", required: true }],
  prompts: [{ name: "summary", position: 0, model: "demo", content: "Summarise {{text}}" }],
};

describe("the editor's agent step", () => {
  it("picks MCP tools and a saved tool as an assistant, sets max steps, saves, and reads them back", async () => {
    const { page, token } = await signedIn();
    const helperId = await createTool(token, helper);
    const id = await createTool(token, planner);
    // The stack's demo servers both answer: a third one, down, is added to the real answer here.
    await page.route("**/api/mcp/tools", async (route) => {
      const response = await route.fetch();
      const listed = (await response.json()) as { tools: unknown[]; errors: { server: string; error: string }[] };
      listed.errors.push({ server: "offline", error: 'The MCP server "offline" could not be reached' });
      await route.fulfill({ response, json: listed });
    });
    await page.goto(`${base()}/#/tools/${id}/edit`);
    await page.getByRole("heading", { name: "Edit tool" }).waitFor();
    // Folded for an ordinary step; opening it loads the lists.
    await page.getByText("Agent step: tools the model may call").click();
    const find = page.getByRole("checkbox", { name: "lesson.find_standard (runs without asking)" });
    const post = page.getByRole("checkbox", { name: "classroom.post_announcement (asks you first)" });
    await find.waitFor();
    await expect.poll(() => find.getAttribute("aria-describedby")).toBeTruthy();
    const about = await page.locator(`#${await find.getAttribute("aria-describedby")}`).textContent();
    expect(about).toContain("curriculum standard");
    // A server listed under errors is named as unavailable, with the answer's reason.
    const offline = page.getByRole("group", { name: "Tools of offline" });
    await expect.poll(() => offline.textContent()).toContain('Unavailable just now: The MCP server "offline"');
    expect(await offline.getByRole("checkbox").count()).toBe(0);
    await find.check();
    // By keyboard: focus the box and press Space.
    await post.focus();
    await page.keyboard.press("Space");
    expect(await post.isChecked()).toBe(true);
    await page.getByRole("checkbox", { name: "Helper summary" }).check();
    await page.getByLabel("Max steps: model turns (1–50, 10 when empty)").fill("4");
    await expect.poll(() => page.getByText("Agent step: tools the model may call (3 chosen)").count()).toBe(1);
    expect(await accessibilityProblems(page)).toEqual([]);
    await page.getByRole("button", { name: "Save tool" }).click();
    await page.getByRole("heading", { name: "Agent planner", exact: true }).waitFor();
    const saved = await apiCall<SavedTool>(token, `/api/tools/${id}`);
    expect(saved.prompts[0]).toMatchObject({
      tools: ["lesson.find_standard", "classroom.post_announcement", `assistant:${helperId}`],
      maxSteps: 4,
    });

    // Opened again: the section is open with the choices ticked; unticking the assistant saves without it.
    await page.goto(`${base()}/#/tools/${id}/edit`);
    await page.getByRole("heading", { name: "Edit tool" }).waitFor();
    const assistant = page.getByRole("checkbox", { name: "Helper summary" });
    await assistant.waitFor();
    expect(await assistant.isChecked()).toBe(true);
    expect(await page.getByRole("checkbox", { name: "lesson.find_standard (runs without asking)" }).isChecked()).toBe(
      true,
    );
    // The tool being edited is not offered as its own assistant.
    expect(await page.getByRole("checkbox", { name: "Agent planner" }).count()).toBe(0);
    await assistant.uncheck();
    await page.getByRole("button", { name: "Save tool" }).click();
    await page.getByRole("heading", { name: "Agent planner", exact: true }).waitFor();
    expect((await apiCall<SavedTool>(token, `/api/tools/${id}`)).prompts[0]?.tools).toEqual([
      "lesson.find_standard",
      "classroom.post_announcement",
    ]);
    await page.close();
  });

  it("puts a save's refusal beside its step, and unticking every tool makes an ordinary step again", async () => {
    const { page, token } = await signedIn();
    await createTool(token, {
      ...helper,
      name: "Agent helper",
      prompts: [{ ...helper.prompts[0], tools: ["lesson.find_standard"] }],
    });
    const id = await createTool(token, {
      ...planner,
      prompts: [{ ...planner.prompts[0], tools: ["lesson.find_standard"], maxSteps: 2 }],
    });
    await page.goto(`${base()}/#/tools/${id}/edit`);
    await page.getByRole("heading", { name: "Edit tool" }).waitFor();
    // An assistant that is an agent itself: the save says why, beside the step.
    await page.getByRole("checkbox", { name: "Agent helper" }).check();
    await page.getByRole("button", { name: "Save tool" }).click();
    await expect.poll(() => page.locator('[id="err-prompts.0"]').textContent()).toContain("nesting stops at one level");
    await page.getByRole("checkbox", { name: "Agent helper" }).uncheck();
    await page.getByRole("checkbox", { name: "lesson.find_standard (runs without asking)" }).uncheck();
    await page.getByRole("button", { name: "Save tool" }).click();
    await page.getByRole("heading", { name: "Agent planner", exact: true }).waitFor();
    const saved = await apiCall<SavedTool>(token, `/api/tools/${id}`);
    expect(saved.prompts[0]).not.toHaveProperty("tools");
    expect(saved.prompts[0]).not.toHaveProperty("maxSteps");
    await page.close();
  });

  it("fits a phone with the agent step open: no sideways scrolling, no axe violation", async () => {
    const { page, token } = await signedIn(360);
    const id = await createTool(token, {
      ...planner,
      prompts: [{ ...planner.prompts[0], tools: ["lesson.*", "classroom.post_announcement"] }],
    });
    await page.goto(`${base()}/#/tools/${id}/edit`);
    await page.getByRole("heading", { name: "Edit tool" }).waitFor();
    await page.getByRole("checkbox", { name: "Every tool of lesson" }).waitFor();
    expect(await page.getByRole("checkbox", { name: "Every tool of lesson" }).isChecked()).toBe(true);
    expect(await page.evaluate<number>("document.documentElement.scrollWidth - window.innerWidth")).toBeLessThanOrEqual(
      0,
    );
    expect(await accessibilityProblems(page)).toEqual([]);
    await page.close();
  });
});
