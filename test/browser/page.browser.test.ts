// The page in a real browser: running a tool, restarts, the demo model, cancel, reload, form errors, history.
import { describe, expect, it } from "vitest";
import {
  chain,
  createTool,
  model,
  panelOutput,
  panelText,
  runTool,
  screenshot,
  signedIn,
  useBrowser,
  words,
} from "./page-helpers";

useBrowser();

describe("the page", () => {
  it("runs a tool: a panel per prompt, parallel prompts side by side, text live, then completed", async () => {
    const { page, token } = await signedIn();
    const outline = words(20, "o").join("");
    const activity = words(30, "a").join("");
    const homework = words(30, "h").join("");
    await createTool(
      token,
      chain(
        await model({ kind: "stream", chunks: words(20, "o"), chunkDelayMs: 20 }),
        await model({ kind: "stream", chunks: words(30, "a"), chunkDelayMs: 20 }),
        await model({ kind: "stream", chunks: words(30, "h"), chunkDelayMs: 20 }),
      ),
    );
    await runTool(page, "Lesson planner", "fractions");
    await panelOutput(page, "outline").filter({ hasText: "o3" }).waitFor();
    await page.getByRole("status").filter({ hasText: "Completed" }).waitFor({ timeout: 20_000 });
    expect((await panelText(page, "outline")).trim()).toBe(outline.trim());
    expect((await panelText(page, "activity")).trim()).toBe(activity.trim());
    expect((await panelText(page, "homework")).trim()).toBe(homework.trim());
    const [activityBox, homeworkBox] = await Promise.all(
      ["activity", "homework"].map((name) => page.locator(`article[data-prompt="${name}"]`).boundingBox()),
    );
    expect(activityBox?.y).toBe(homeworkBox?.y);
    expect(await page.locator('article[data-prompt="outline"] .status').innerText()).toBe("completed");
    expect(await page.getByRole("button", { name: "Cancel" }).isVisible()).toBe(false);
    await page.close();
  });

  it("follows a restart: the panel clears, says it is retrying, then shows only the new attempt's text", async () => {
    const { page, token } = await signedIn();
    const retried = await model(
      { kind: "stream", chunks: words(6, "lost"), chunkDelayMs: 30, errorAfter: 5, errorStatus: 503 },
      { kind: "stream", chunks: words(40, "new"), chunkDelayMs: 60 },
    );
    const quick = await model({ kind: "stream", chunks: ["x"] });
    await createTool(token, chain(retried, quick, quick));
    await runTool(page, "Lesson planner", "retries");
    const status = page.locator('article[data-prompt="outline"] .status');
    await status.filter({ hasText: "retrying (attempt 2)" }).waitFor();
    await panelOutput(page, "outline").filter({ hasText: "new1" }).waitFor();
    expect(await panelText(page, "outline")).not.toContain("lost");
    await page.getByRole("status").filter({ hasText: "Completed" }).waitFor({ timeout: 20_000 });
    expect((await panelText(page, "outline")).trim()).toBe(words(40, "new").join("").trim());
    expect(await status.innerText()).toBe("completed");
    expect(await page.locator('article[data-prompt="outline"] .meta').innerText()).toContain("2 attempts");
    await page.close();
  });

  it("runs a tool on the built-in offline demo model to completion", async () => {
    const { page, token } = await signedIn();
    await createTool(token, { ...chain("demo", "demo", "demo"), name: "Demo planner" });
    await runTool(page, "Demo planner", "volcanoes");
    await page.getByRole("status").filter({ hasText: "Completed" }).waitFor({ timeout: 20_000 });
    expect((await panelText(page, "outline")).trim()).toBe("Outline volcanoes");
    expect((await panelText(page, "homework")).trim()).toBe("Homework for Outline volcanoes");
    await page.close();
  });

  it("cancels mid-run and says so, keeping the text received", async () => {
    const { page, token } = await signedIn();
    const hanging = await model({ kind: "stream", chunks: ["Started ", "and ", "then nothing"], hangAfter: 2 });
    await createTool(token, { ...chain(hanging, hanging, hanging), name: "Hanging" });
    await runTool(page, "Hanging", "x");
    await panelOutput(page, "outline").filter({ hasText: "and" }).waitFor();
    await page.getByRole("button", { name: "Cancel" }).click();
    await page.getByRole("status").filter({ hasText: "Canceled" }).waitFor();
    expect((await panelText(page, "outline")).trim()).toBe("Started and");
    expect(await page.locator('article[data-prompt="homework"] .status').innerText()).toBe("skipped");
    await page.close();
  });

  it("resumes after a reload mid-run with the full text exactly once", async () => {
    const { page, token } = await signedIn();
    const text = words(60, "r").join("");
    const slow = await model({ kind: "stream", chunks: words(60, "r"), chunkDelayMs: 40 });
    const quick = await model({ kind: "stream", chunks: ["done"] });
    await createTool(token, { ...chain(slow, quick, quick), name: "Slow planner" });
    await runTool(page, "Slow planner", "reload");
    await panelOutput(page, "outline").filter({ hasText: "r10" }).waitFor();
    expect(page.url()).toMatch(/#\/executions\/[0-9a-f-]{36}$/);
    await page.reload();
    await page.getByRole("status").filter({ hasText: "Completed" }).waitFor({ timeout: 20_000 });
    expect((await panelText(page, "outline")).trim()).toBe(text.trim());
    await page.close();
  });

  it("shows the API's field errors next to the fields of an invalid run form", async () => {
    const { page, token } = await signedIn(390);
    await createTool(token, { ...chain("demo", "demo", "demo"), name: "Needs input" });
    await runTool(page, "Needs input");
    await expect.poll(() => page.locator("#in-topic-error").innerText()).toBe("Topic is required");
    expect(await page.getByRole("heading", { name: "Needs input", exact: true }).isVisible()).toBe(true);
    await screenshot(page, "run-form-phone");
    await page.close();
  });

  it("shows a tool's placeholder error next to the prompt it concerns", async () => {
    const { page } = await signedIn();
    await page.getByRole("link", { name: "New tool" }).click();
    await page.getByLabel("Name", { exact: true }).first().fill("Broken");
    await page.getByLabel("Prompt text").fill("About {{subject}}");
    await page.getByRole("button", { name: "Save tool" }).click();
    await expect.poll(() => page.locator('[id="err-prompts.0"]').innerText()).toContain("{{subject}}");
    await page.close();
  });

  it("lists past executions and reopens one with its stored outputs", async () => {
    const { page, token } = await signedIn();
    const done = await model({ kind: "stream", chunks: ["stored ", "output"] });
    await createTool(token, { ...chain(done, done, done), name: "Quick" });
    await runTool(page, "Quick", "history");
    await page.getByRole("status").filter({ hasText: "Completed" }).waitFor();
    await page.getByRole("link", { name: "History" }).click();
    await page.getByRole("link", { name: "Quick" }).first().click();
    await page.getByRole("status").filter({ hasText: "Completed" }).waitFor();
    expect((await panelText(page, "activity")).trim()).toBe("stored output");
    await page.close();
  });
});
