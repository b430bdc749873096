// The run screen as a teacher's workspace: the inputs beside the output (stacked on a phone), the answer
// first and whole when a run ends, the steps before it folded to a line that opens, the live step open
// while it runs, actions in a menu only when they apply, previous runs one click away, and a rerun
// dialog that opens at its top with labels and multi-line inputs.
import { describe, expect, it } from "vitest";
import {
  base,
  createTool,
  model,
  panelAction,
  screenshot,
  signedIn,
  togglePanel,
  useBrowser,
  words,
} from "./page-helpers";

useBrowser();

/** A handout longer than the screen, as a model writes one: a title, sections, a table, a list. */
const HANDOUT = [
  "# Fractions handout\n\n",
  "Name: ______________  Date: ________\n\n",
  "## 1. Pizza slices\n\n",
  "A pizza is cut into **8 equal slices**. Shade the slices, then write the fraction.\n\n",
  "| Slices eaten | Fraction | Same as |\n| --- | --- | --- |\n| 2 | 2/8 | 1/4 |\n| 4 | 4/8 | 1/2 |\n| 6 | 6/8 | 3/4 |\n\n",
  "## 2. Compare\n\n",
  ...Array.from(
    { length: 8 },
    (_, i) => `${i + 1}. Which is larger: ${i + 1}/8 or ${i + 2}/10? Explain how you know.\n`,
  ),
  "\n## 3. Make your own\n\n",
  "- Draw a shape and split it into equal parts.\n- Shade some parts and write the fraction.\n- Swap with a partner and check.\n\n",
  "## 4. Word problems\n\n",
  ...Array.from(
    { length: 6 },
    (_, i) =>
      `**Problem ${i + 1}.** Sam eats ${i + 1} of 12 cookies and Ana eats ${i + 2} of 12. Who ate more? Write both fractions.\n\n`,
  ),
  "> Tip: fractions with the same denominator compare by their numerators.\n",
];

/** outline → activity → handout (the answer), one after the other. */
const threeSteps = (outline: string, activity: string, handout: string, name = "Handout maker") => ({
  name,
  description: "An outline, an activity, then a handout for the class.",
  inputFields: [
    { name: "topic", label: "Topic", type: "text", required: true },
    { name: "notes", label: "Notes for the passage", type: "textarea" },
  ],
  prompts: [
    { name: "outline", position: 0, model: outline, content: "Outline {{topic}} {{notes}}" },
    { name: "activity", position: 1, model: activity, content: "Activity for {{outline}}" },
    { name: "handout", position: 2, model: handout, content: "Handout from {{activity}}" },
  ],
});

const expanded = (page: import("playwright-core").Page, name: string) =>
  page.locator(`article[data-prompt="${name}"] button.fold`).getAttribute("aria-expanded");

describe("the run screen", () => {
  it("puts the inputs beside the output at 1280 px, and stacks them at 360 px", async () => {
    const { page, token } = await signedIn(1280);
    const id = await createTool(token, threeSteps("demo", "demo", "demo"));
    const boxes = async () => {
      await page.goto(`${base()}/#/tools/${id}/run`);
      await page.getByRole("heading", { name: "Handout maker", exact: true }).waitFor();
      const form = await page.getByRole("form", { name: "Inputs" }).boundingBox();
      const output = await page.getByRole("region", { name: "Output" }).boundingBox();
      if (!form || !output) throw new Error("not laid out");
      return { form, output };
    };
    const wide = await boxes();
    expect(wide.form.x + wide.form.width).toBeLessThanOrEqual(wide.output.x);
    expect(wide.output.y).toBeLessThan(wide.form.y + wide.form.height);
    await page.setViewportSize({ width: 360, height: 800 });
    const narrow = await boxes();
    expect(narrow.output.y).toBeGreaterThanOrEqual(narrow.form.y + narrow.form.height);
    expect(await page.evaluate<number>("document.documentElement.scrollWidth - window.innerWidth")).toBeLessThanOrEqual(
      0,
    );
    await page.close();
  });

  it("opens the live step while it runs; then the answer whole, its first line in view, and the steps folded", async () => {
    const { page, token } = await signedIn(1280);
    const slow = await model({ kind: "stream", chunks: words(30, "o"), chunkDelayMs: 60 });
    const quick = await model({ kind: "stream", chunks: ["An activity ", "with pizza slices."] });
    const handout = await model({ kind: "stream", chunks: HANDOUT, chunkDelayMs: 20 });
    await createTool(token, threeSteps(slow, quick, handout));
    await page.goto(`${base()}/#/`);
    await page.getByRole("link", { name: "Run Handout maker" }).click();
    await page.getByLabel("Topic (required)").fill("fractions");
    await page.getByRole("button", { name: "Run", exact: true }).click();
    await page.locator('article[data-prompt="outline"] .output').filter({ hasText: "o3" }).waitFor();
    expect(await expanded(page, "outline")).toBe("true");
    expect(await expanded(page, "handout")).toBe("false");
    // Nothing to act on yet: a step that has not started has no actions menu.
    expect(await page.getByRole("button", { name: "Actions for handout" }).isVisible()).toBe(false);
    await page.getByRole("status").filter({ hasText: "Completed" }).waitFor({ timeout: 20_000 });
    await expect.poll(() => expanded(page, "handout")).toBe("true");
    expect(await expanded(page, "outline")).toBe("false");
    expect(await expanded(page, "activity")).toBe("false");
    // The answer comes first, whole (no scroll box of its own), its title in view.
    const answer = page.locator('article[data-prompt="handout"]');
    const title = answer.getByRole("heading", { name: "Fractions handout" });
    const box = await title.boundingBox();
    expect(box?.y).toBeGreaterThanOrEqual(0);
    expect((box?.y ?? 900) + (box?.height ?? 0)).toBeLessThanOrEqual(900);
    const inner = await answer
      .locator(".output")
      .evaluate((element) => element.scrollHeight - element.clientHeight - element.scrollTop);
    expect(inner).toBeLessThanOrEqual(1);
    const [answerBox, stepBox] = await Promise.all([
      answer.boundingBox(),
      page.locator('[data-prompt="outline"]').boundingBox(),
    ]);
    expect(answerBox?.y ?? 0).toBeLessThan(stepBox?.y ?? 0);
    // A folded step is one line with a preview; it opens on click, and folds again.
    expect(await page.locator('article[data-prompt="activity"] .preview').innerText()).toBe(
      "An activity with pizza slices.",
    );
    expect(await page.locator('article[data-prompt="activity"] .output').isVisible()).toBe(false);
    await togglePanel(page, "activity");
    expect(await page.locator('article[data-prompt="activity"] .output').innerText()).toContain("pizza slices");
    await togglePanel(page, "activity");
    expect(await page.locator('article[data-prompt="activity"] .output').isVisible()).toBe(false);
    await page.evaluate("window.scrollTo(0, 0)");
    await screenshot(page, "run-completed");
    await page.close();
  });

  it("offers a panel's actions in a menu that works from the keyboard", async () => {
    const { page, token } = await signedIn(1200, ["clipboard-read", "clipboard-write"]);
    await createTool(token, threeSteps("demo", "demo", "demo", "Menus"));
    await page.goto(`${base()}/#/`);
    await page.getByRole("link", { name: "Run Menus" }).click();
    await page.getByLabel("Topic (required)").fill("menus");
    await page.getByRole("button", { name: "Run", exact: true }).click();
    await page.getByRole("status").filter({ hasText: "Completed" }).waitFor({ timeout: 20_000 });
    await page.getByRole("button", { name: "Actions for outline" }).focus();
    await page.keyboard.press("Enter");
    const items = page.getByRole("menu", { name: "Actions for outline" }).getByRole("menuitem");
    expect(await items.allInnerTexts()).toEqual(["Copy Markdown", "Copy text", "Show raw text", "Rerun from here"]);
    expect(await page.evaluate("document.activeElement.textContent")).toBe("Copy Markdown");
    await page.keyboard.press("ArrowUp");
    expect(await page.evaluate("document.activeElement.textContent")).toBe("Rerun from here");
    await page.keyboard.press("Escape");
    expect(await page.evaluate("document.activeElement.getAttribute('aria-label')")).toBe("Actions for outline");
    expect(await items.first().isVisible()).toBe(false);
    await page.keyboard.press("Enter");
    await page.keyboard.press("Enter");
    expect(((await page.evaluate("navigator.clipboard.readText()")) as string).trim()).toBe("Outline menus");
    await page.close();
  });

  it("keeps the tool's previous runs one click away", async () => {
    const { page, token } = await signedIn(1280);
    await createTool(token, threeSteps("demo", "demo", "demo", "Twice"));
    await page.goto(`${base()}/#/`);
    await page.getByRole("link", { name: "Run Twice" }).click();
    for (const topic of ["first topic", "second topic"]) {
      await page.getByLabel("Topic (required)").fill(topic);
      await page.getByRole("button", { name: "Run", exact: true }).click();
      await page.getByRole("status").filter({ hasText: "Completed" }).waitFor({ timeout: 20_000 });
    }
    await page.getByText("Previous runs (2)").click();
    const runs = page.getByRole("list", { name: "Previous runs of this tool" }).getByRole("listitem");
    expect(await runs.nth(0).innerText()).toContain("Topic: second topic");
    expect(await runs.nth(1).innerText()).toContain("Handout from Activity for Outline first topic");
    await runs.nth(1).getByRole("link").click();
    await expect.poll(() => page.getByLabel("Topic (required)").inputValue()).toBe("first topic");
    await page.close();
  });

  it("opens the rerun dialog at its top, with labels, and a multi-line input as multi-line", async () => {
    const { page, token } = await signedIn(1280);
    await createTool(token, {
      ...threeSteps("demo", "demo", "demo", "Long prompt"),
      prompts: [
        {
          name: "outline",
          position: 0,
          model: "demo",
          content: `Outline {{topic}} {{notes}}\n${"More rules.\n".repeat(60)}`,
        },
      ],
    });
    await page.goto(`${base()}/#/`);
    await page.getByRole("link", { name: "Run Long prompt" }).click();
    await page.getByLabel("Topic (required)").fill("tides");
    await page.getByLabel("Notes for the passage").fill("line one\nline two");
    await page.getByRole("button", { name: "Run", exact: true }).click();
    await page.getByRole("status").filter({ hasText: "Completed" }).waitFor({ timeout: 20_000 });
    expect(await page.getByRole("term").allInnerTexts()).toEqual(["Topic", "Notes for the passage"]);
    await panelAction(page, "outline", "Rerun from here");
    const dialog = page.getByRole("dialog", { name: "Rerun from outline" });
    await dialog.waitFor();
    const text = dialog.getByLabel("Prompt text of outline");
    // Typed by what is read: these tests compile without the DOM's types.
    const caret = (element: unknown) => {
      const area = element as { scrollTop: number; selectionStart: number };
      return [area.scrollTop, area.selectionStart];
    };
    expect(await text.evaluate(caret)).toEqual([0, 0]);
    expect(await dialog.evaluate((element) => element.scrollTop)).toBe(0);
    const notes = dialog.getByLabel("Notes for the passage");
    expect(await notes.evaluate((element) => element.tagName)).toBe("TEXTAREA");
    expect(await notes.inputValue()).toBe("line one\nline two");
    await notes.fill("line one\nline two\nline three");
    await screenshot(page, "rerun-dialog");
    await dialog.getByRole("button", { name: "Rerun" }).click();
    await page.getByRole("status").filter({ hasText: "Completed" }).waitFor({ timeout: 20_000 });
    await expect
      .poll(() => page.getByLabel("Notes for the passage").inputValue())
      .toBe("line one\nline two\nline three");
    // One dialog was opened, and it is gone (a menu action runs once, however often the panel updated).
    expect(await page.locator("dialog").count()).toBe(0);
    await page.close();
  });
});
