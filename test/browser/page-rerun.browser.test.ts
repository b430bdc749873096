// What to do after a run: the inputs it used are shown, "Run again" opens the form filled with them,
// "Rerun from here" on a failed (or canceled) prompt edits its text or model and reruns from it, with
// the earlier panels marked as reused.
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
} from "./page-helpers";

useBrowser();

describe("after a run", () => {
  it("shows the inputs it used, and Run again opens the form filled with them", async () => {
    const { page, token } = await signedIn();
    await createTool(token, { ...chain("demo", "demo", "demo"), name: "Again" });
    await runTool(page, "Again", "fractions");
    await page.getByRole("status").filter({ hasText: "Completed" }).waitFor({ timeout: 20_000 });
    const inputs = page.getByRole("definition");
    await inputs.first().waitFor();
    expect(await inputs.allInnerTexts()).toEqual(["fractions"]);
    await page.getByRole("link", { name: "Run again" }).click();
    await page.getByRole("heading", { name: "Run Again" }).waitFor();
    expect(await page.getByLabel("Topic (required)").inputValue()).toBe("fractions");
    await page.getByRole("button", { name: "Run" }).click();
    await page.getByRole("status").filter({ hasText: "Completed" }).waitFor({ timeout: 20_000 });
    expect((await panelText(page, "outline")).trim()).toBe("Outline fractions");
    await page.close();
  });

  it("reruns from a failed prompt with a new model and text; the completed prompt before it is reused", async () => {
    const { page, token } = await signedIn();
    const good = await model({ kind: "stream", chunks: ["An ", "outline"] });
    const refused = await model({ kind: "error", status: 400, message: "This model refuses" });
    await createTool(token, { ...chain(good, refused, good), name: "Failing" });
    await runTool(page, "Failing", "rerun");
    await page.getByRole("status").filter({ hasText: "Failed" }).waitFor({ timeout: 20_000 });
    const activity = page.locator('article[data-prompt="activity"]');
    await activity.getByRole("button", { name: "Rerun from here" }).click();
    const dialog = page.getByRole("dialog", { name: "Rerun from activity" });
    await dialog.waitFor();
    expect(await dialog.getByLabel("Prompt text of activity").inputValue()).toBe("Activity for {{outline}}");
    await screenshot(page, "rerun-dialog");
    await dialog.getByLabel("Prompt text of activity").fill("Activities for {{outline}}");
    await dialog.getByLabel("Model").selectOption("demo");
    await dialog.getByRole("button", { name: "Rerun" }).click();
    await page.getByRole("status").filter({ hasText: "Completed" }).waitFor({ timeout: 20_000 });
    expect((await panelText(page, "activity")).trim()).toBe("Activities for An outline");
    expect(await page.locator('article[data-prompt="outline"] .meta').innerText()).toContain("reused");
    expect(await page.getByText("A rerun of").isVisible()).toBe(true);
    await page.close();
  });

  it("after a cancel, reruns from the canceled prompt", async () => {
    const { page, token } = await signedIn();
    const hanging = await model({ kind: "stream", chunks: ["Started ", "and ", "then nothing"], hangAfter: 2 });
    await createTool(token, { ...chain(hanging, "demo", "demo"), name: "Stuck" });
    await runTool(page, "Stuck", "cancel");
    await panelOutput(page, "outline").filter({ hasText: "and" }).waitFor();
    await page.getByRole("button", { name: "Cancel" }).click();
    await page.getByRole("status").filter({ hasText: "Canceled" }).waitFor();
    await page.locator('article[data-prompt="outline"]').getByRole("button", { name: "Rerun from here" }).click();
    const dialog = page.getByRole("dialog", { name: "Rerun from outline" });
    await dialog.getByLabel("Model").selectOption("demo");
    await dialog.getByLabel("topic").fill("volcanoes");
    await dialog.getByRole("button", { name: "Rerun" }).click();
    await page.getByRole("status").filter({ hasText: "Completed" }).waitFor({ timeout: 20_000 });
    expect((await panelText(page, "outline")).trim()).toBe("Outline volcanoes");
    expect((await panelText(page, "homework")).trim()).toBe("Homework for Outline volcanoes");
    await page.close();
  });
});
