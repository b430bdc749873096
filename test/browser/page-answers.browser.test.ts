// Answers as a teacher reads them: Markdown rendered while it streams (never the model's HTML, never
// a script, a javascript: link or an image request), a raw toggle, copy as Markdown and as text,
// the whole run as a .md download, a reload mid-run that renders each block once, auto-scroll.
import { readFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import {
  chain,
  createTool,
  model,
  panelAction,
  panelOutput,
  panelText,
  runTool,
  scriptUpstream,
  signedIn,
  useBrowser,
  words,
} from "./page-helpers";

useBrowser();

const MARKDOWN = [
  "## Section\n\n",
  "**Bold** and `code`\n\n",
  "- one\n- two\n\n",
  "| a | b |\n| --- | --- |\n| 1 | 2 |\n\n",
  "```js\nlet x = 1;\n```\n\n",
  "[site](https://example.org/)\n\n",
  '<img src=x onerror="window.__xss = 1">\n\n',
  "<script>window.__xss = 2</script>\n\n",
  "[click](javascript:window.__xss=3)\n\n",
  '<b>raw html</b> <a href="javascript:window.__xss=4">a</a>\n\n',
  "![pixel](https://tracker.invalid/pixel.png)\n\n",
  "The end.",
];

const ACTIVITY = [
  "### Pizza fractions (20 min)\n\n",
  "1. Give each group a paper *pizza* cut into **8 slices**.\n",
  "2. Ask: what fraction is `3 of 8` slices?\n",
  "3. Compare ½ and 4/8 by laying slices side by side.\n\n",
  "| Group | Slices | Fraction |\n| --- | --- | --- |\n| A | 3 | 3/8 |\n| B | 4 | 1/2 |\n",
];
const HOMEWORK = [
  "**Homework**: draw two shapes and shade ",
  "a fraction of each.\n\n",
  "> Tip: name the fraction under each drawing.",
];

describe("answers", () => {
  it("render as Markdown while streaming, and the model's HTML, scripts and javascript: links never reach the DOM", async () => {
    const { page, token } = await signedIn();
    const requests: string[] = [];
    page.on("request", (request) => requests.push(request.url()));
    const markdown = await model({ kind: "stream", chunks: MARKDOWN, chunkDelayMs: 120 });
    const quick = await model({ kind: "stream", chunks: ["ok"] });
    // The Markdown is the answer (the last step), so it stays open when the run ends.
    await createTool(token, { ...chain(quick, markdown, quick), name: "Formatted" });
    await runTool(page, "Formatted", "markdown");
    const output = panelOutput(page, "activity");
    // Rendered while the answer still streams.
    await output.getByRole("heading", { name: "Section" }).waitFor();
    expect(await page.getByRole("status").innerText()).toBe("Running…");
    await page.getByRole("status").filter({ hasText: "Completed" }).waitFor({ timeout: 20_000 });
    expect(await output.locator("strong").innerText()).toBe("Bold");
    expect(await output.locator("code").first().innerText()).toBe("code");
    expect(await output.locator("li").allInnerTexts()).toEqual(["one", "two"]);
    expect(await output.locator("td").allInnerTexts()).toEqual(["1", "2"]);
    expect((await output.locator("pre code").innerText()).trim()).toBe("let x = 1;");
    const link = output.getByRole("link", { name: "site" });
    expect(await link.getAttribute("href")).toBe("https://example.org/");
    expect(await link.getAttribute("rel")).toContain("noopener");
    // Untrusted text stays text.
    expect(await page.evaluate("window.__xss")).toBeUndefined();
    expect(await output.locator("img, script, b, iframe").count()).toBe(0);
    expect(await output.locator('a[href^="javascript"]').count()).toBe(0);
    expect(await output.innerText()).toContain("<b>raw html</b>");
    expect(await output.innerText()).toContain("<script>window.__xss = 2</script>");
    expect(requests.some((url) => url.includes("tracker.invalid") || url.endsWith("/x"))).toBe(false);
    // The raw toggle shows exactly what the model sent.
    await panelAction(page, "activity", "Show raw text");
    expect(await page.locator('article[data-prompt="activity"] pre.raw').isVisible()).toBe(true);
    expect(await panelText(page, "activity")).toBe(MARKDOWN.join(""));
    await panelAction(page, "activity", "Show formatted");
    expect(await output.getByRole("heading", { name: "Section" }).isVisible()).toBe(true);
    await page.close();
  });

  it("copy as Markdown and as plain text, and download the whole run as a Markdown file", async () => {
    const { page, token } = await signedIn(1200, ["clipboard-read", "clipboard-write"]);
    const answer = await model({ kind: "stream", chunks: ["# Plan\n\n", "Use **fractions**."] });
    const activity = await model({ kind: "stream", chunks: ACTIVITY, chunkDelayMs: 10 });
    const homework = await model({ kind: "stream", chunks: HOMEWORK, chunkDelayMs: 10 });
    await createTool(token, { ...chain(answer, activity, homework), name: "Fractions lesson" });
    await runTool(page, "Fractions lesson", "fractions");
    await page.getByRole("status").filter({ hasText: "Completed" }).waitFor({ timeout: 20_000 });
    // The outline is a step before the answer, folded to a line: its menu still copies it.
    const outline = page.locator('article[data-prompt="outline"]');
    await panelAction(page, "outline", "Copy Markdown");
    await outline.getByText("Copied").waitFor();
    expect(await page.evaluate("navigator.clipboard.readText()")).toBe("# Plan\n\nUse **fractions**.");
    await panelAction(page, "outline", "Copy text");
    await expect.poll(() => page.evaluate("navigator.clipboard.readText()")).toBe("Plan\n\nUse fractions.");
    const [file] = await Promise.all([
      page.waitForEvent("download"),
      page.getByRole("button", { name: "Download .md" }).click(),
    ]);
    expect(file.suggestedFilename()).toMatch(/^fractions-lesson-[0-9a-f]{8}\.md$/);
    const text = await readFile(await file.path(), "utf8");
    expect(text).toContain("# Fractions lesson");
    expect(text).toContain("- **Topic**: fractions");
    expect(text).toContain("## outline\n\n# Plan\n\nUse **fractions**.");
    expect(text).toContain(`## homework\n\n${HOMEWORK.join("")}`);
    await page.close();
  });

  it("after a reload mid-run, renders each Markdown block exactly once", async () => {
    const { page, token } = await signedIn();
    const parts = Array.from({ length: 30 }, (_, i) => `## Part ${i}\n\ntext ${i}\n\n`);
    const slow = await model({ kind: "stream", chunks: parts, chunkDelayMs: 60 });
    const quick = await model({ kind: "stream", chunks: ["done"] });
    await createTool(token, { ...chain(quick, slow, quick), name: "Reloaded" });
    await runTool(page, "Reloaded", "reload");
    const output = panelOutput(page, "activity");
    await output.getByRole("heading", { name: "Part 5" }).waitFor();
    await page.reload();
    await page.getByRole("status").filter({ hasText: "Completed" }).waitFor({ timeout: 20_000 });
    expect(await output.getByRole("heading").allInnerTexts()).toEqual(parts.map((_, i) => `Part ${i}`));
    expect(await panelText(page, "activity")).toBe(parts.join(""));
    await page.close();
  });

  it("follows new text to the bottom, until the reader scrolls up", async () => {
    const { page, token } = await signedIn();
    const long = await model({ kind: "stream", chunks: words(400, "line\n\nw"), chunkDelayMs: 15 });
    const quick = await model({ kind: "stream", chunks: ["ok"] });
    await createTool(token, { ...chain(long, quick, quick), name: "Long" });
    await runTool(page, "Long", "scroll");
    const output = panelOutput(page, "outline");
    const position = () =>
      output.evaluate((element) => ({ top: element.scrollTop, bottom: element.scrollHeight - element.clientHeight }));
    await expect.poll(async () => (await position()).bottom, { timeout: 10_000 }).toBeGreaterThan(200);
    await expect
      .poll(async () => {
        const { top, bottom } = await position();
        return bottom - top;
      })
      .toBeLessThan(30);
    await output.evaluate((element) => element.scrollTo({ top: 0 }));
    const before = (await position()).bottom;
    await expect.poll(async () => (await position()).bottom).toBeGreaterThan(before + 100);
    expect((await position()).top).toBe(0);
    await page.close();
  });

  it("show each prompt's cost, the run's spending against its budget, and a budget that stopped the model", async () => {
    const { page, token } = await signedIn();
    await scriptUpstream("priced-page-upstream", [{ kind: "stream", chunks: ["word "], repeat: 400, chunkDelayMs: 5 }]);
    await createTool(token, {
      ...chain("priced-page", "demo", "demo"),
      name: "Budgeted",
      budget: { maxCostMicros: 1000 },
    });
    await runTool(page, "Budgeted", "money");
    await page.getByRole("status").filter({ hasText: "Failed" }).waitFor({ timeout: 20_000 });
    expect(await page.getByRole("status").innerText()).toContain("would pass its budget of 1000 micro-dollars");
    // The final figure, from the record: never past the budget.
    await page.getByText(/^Spent \$0\.(000\d+|001) of a \$0\.001 budget$/).waitFor();
    const outline = page.locator('article[data-prompt="outline"]');
    expect(await outline.locator(".status").innerText()).toBe("failed");
    expect((await panelText(page, "outline")).length).toBeGreaterThan(0);
    expect(await page.locator('article[data-prompt="activity"] .status').innerText()).toBe("skipped");
    await page.close();
  });
});
