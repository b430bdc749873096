// What to do after a run: the inputs it used are shown, "Run again" opens the form filled with them,
// "Rerun from here" on a failed (or canceled) prompt edits its text or model and reruns from it, with
// the earlier panels marked as reused.
import { describe, expect, it } from "vitest";
import {
  chain,
  createTool,
  model,
  panelAction,
  panelOutput,
  panelText,
  runTool,
  signedIn,
  useBrowser,
} from "./page-helpers";

useBrowser();

describe("after a run", () => {
  it("shows the inputs it used by label, and runs again in place with an input changed", async () => {
    const { page, token } = await signedIn();
    await createTool(token, { ...chain("demo", "demo", "demo"), name: "Again" });
    await runTool(page, "Again", "fractions");
    await page.getByRole("status").filter({ hasText: "Completed" }).waitFor({ timeout: 20_000 });
    const inputs = page.getByRole("definition");
    await inputs.first().waitFor();
    expect(await inputs.allInnerTexts()).toEqual(["fractions"]);
    expect(await page.getByRole("term").allInnerTexts()).toEqual(["Topic"]);
    const first = page.url();
    // The form stays beside the answer, filled with what this run used: change one input and run again.
    expect(await page.getByLabel("Topic (required)").inputValue()).toBe("fractions");
    await page.getByLabel("Topic (required)").fill("decimals");
    await page.getByRole("button", { name: "Run", exact: true }).click();
    await expect.poll(() => page.url()).not.toBe(first);
    await page.getByRole("status").filter({ hasText: "Completed" }).waitFor({ timeout: 20_000 });
    expect((await panelText(page, "outline")).trim()).toBe("Outline decimals");
    expect(page.url()).toMatch(/#\/executions\/[0-9a-f-]{36}$/);
    expect(await page.getByRole("heading", { name: "Again", exact: true }).isVisible()).toBe(true);
    // Back returns to the first run.
    await page.goBack();
    await expect.poll(() => panelText(page, "outline")).toBe("Outline fractions");
    await page.close();
  });

  it("reruns from a failed prompt with a new model and text; the completed prompt before it is reused", async () => {
    const { page, token } = await signedIn();
    const good = await model({ kind: "stream", chunks: ["An ", "outline"] });
    const refused = await model({ kind: "error", status: 400, message: "This model refuses" });
    await createTool(token, { ...chain(good, refused, good), name: "Failing" });
    await runTool(page, "Failing", "rerun");
    await page.getByRole("status").filter({ hasText: "Failed" }).waitFor({ timeout: 20_000 });
    await panelAction(page, "activity", "Rerun from here");
    const dialog = page.getByRole("dialog", { name: "Rerun from activity" });
    await dialog.waitFor();
    expect(await dialog.getByLabel("Prompt text of activity").inputValue()).toBe("Activity for {{outline}}");
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
    await panelAction(page, "outline", "Rerun from here");
    const dialog = page.getByRole("dialog", { name: "Rerun from outline" });
    await dialog.getByLabel("Model").selectOption("demo");
    await dialog.getByLabel("Topic").fill("volcanoes");
    await dialog.getByRole("button", { name: "Rerun" }).click();
    await page.getByRole("status").filter({ hasText: "Completed" }).waitFor({ timeout: 20_000 });
    expect((await panelText(page, "outline")).trim()).toBe("Outline volcanoes");
    expect((await panelText(page, "homework")).trim()).toBe("Homework for Outline volcanoes");
    await page.close();
  });
});
