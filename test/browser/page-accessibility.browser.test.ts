// Accessibility: axe-core finds no serious or critical violation on any screen; focus lands on each
// screen's heading without a box around the page while focused controls show a ring; every action
// works from the keyboard alone; the page fits a phone's width; a run waiting for approval (an agent
// step's question) passes the same scan, at a phone's width too.
import { describe, expect, it } from "vitest";
import {
  accessibilityProblems,
  announcer,
  base,
  chain,
  createTool,
  model,
  screenshot,
  signedIn,
  useBrowser,
} from "./page-helpers";

useBrowser();

describe("accessibility", () => {
  it("has no serious or critical axe violations on any screen", async () => {
    const { page, token } = await signedIn();
    const failing = await model({ kind: "error", status: 400, message: "refused" });
    const id = await createTool(token, {
      ...chain("demo", failing, "demo"),
      name: "Checked",
      description: "A tool whose second step fails.",
    });
    const screens: Record<string, string[]> = {};
    await page.reload();
    await page.getByText("A tool whose second step fails.").waitFor();
    screens.tools = await accessibilityProblems(page);
    await page.goto(`${base()}/#/tools/${id}/edit`);
    await page.getByRole("heading", { name: "Edit tool" }).waitFor();
    // A step with a warning, then "Try it" run to its end beside the editor.
    await page.locator("#p2-content").fill("Homework.");
    const tryIt = page.getByRole("region", { name: "Try it" });
    await tryIt.getByLabel("Topic (required)").fill("axe");
    await tryIt.getByRole("button", { name: "Try it" }).click();
    await tryIt.getByRole("status").filter({ hasText: "Failed" }).waitFor({ timeout: 20_000 });
    screens.editor = await accessibilityProblems(page);
    await page.goto(`${base()}/#/tools/new?from=${id}`);
    await page.getByRole("heading", { name: "New tool" }).waitFor();
    screens.duplicate = await accessibilityProblems(page);
    await page.goto(`${base()}/#/tools/${id}/run`);
    await page.getByRole("heading", { name: "Checked", exact: true }).waitFor();
    screens.runForm = await accessibilityProblems(page);
    await page.getByLabel("Topic (required)").fill("axe");
    await page.getByRole("button", { name: "Run", exact: true }).click();
    await page.getByRole("status").filter({ hasText: "Failed" }).waitFor({ timeout: 20_000 });
    screens.execution = await accessibilityProblems(page);
    await page.getByRole("button", { name: "Actions for outline" }).click();
    await page.getByRole("menuitem").first().waitFor();
    screens.actionsMenu = await accessibilityProblems(page);
    await page.keyboard.press("Escape");
    await page.getByRole("button", { name: "Actions for activity" }).click();
    await page.getByRole("menuitem", { name: "Rerun from here" }).click();
    await page.getByRole("dialog").waitFor();
    screens.rerunDialog = await accessibilityProblems(page);
    await page.keyboard.press("Escape");
    await page.getByText("Previous runs").click();
    await page.getByRole("list", { name: "Previous runs of this tool" }).getByRole("listitem").first().waitFor();
    screens.previousRuns = await accessibilityProblems(page);
    await page.goto(`${base()}/#/history?q=axe`);
    await page.getByRole("heading", { name: "History" }).waitFor();
    await page.getByRole("list", { name: "Executions" }).getByRole("listitem").first().waitFor();
    screens.history = await accessibilityProblems(page);
    await page.evaluate("localStorage.clear()");
    await page.goto(`${base()}/#/`);
    await page.reload();
    await page.getByRole("heading", { name: "Sign in" }).waitFor();
    screens.signIn = await accessibilityProblems(page);
    expect(screens).toEqual({
      tools: [],
      editor: [],
      duplicate: [],
      runForm: [],
      execution: [],
      actionsMenu: [],
      rerunDialog: [],
      previousRuns: [],
      history: [],
      signIn: [],
    });
    await page.close();
  });

  it("has no serious or critical axe violation on a run waiting for approval, wide or on a phone", async () => {
    const { page, token } = await signedIn();
    await createTool(token, announcer("Approval check"));
    await page.reload();
    await page.getByRole("link", { name: "Run Approval check" }).click();
    await page.getByLabel("Topic (required)").fill("the axe scan");
    await page.getByRole("button", { name: "Run", exact: true }).click();
    await page
      .getByRole("region", { name: "Approve or deny classroom.post_announcement" })
      .waitFor({ timeout: 20_000 });
    await screenshot(page, "run-approval");
    const problems: Record<string, string[]> = { wide: await accessibilityProblems(page) };
    await page.setViewportSize({ width: 360, height: 900 });
    problems.phone = await accessibilityProblems(page);
    expect(await page.evaluate<number>("document.documentElement.scrollWidth - window.innerWidth")).toBeLessThanOrEqual(
      0,
    );
    expect(problems).toEqual({ wide: [], phone: [] });
    await page.close();
  });

  it("puts focus on the heading without a ring after navigation, and rings the control the keyboard reaches", async () => {
    const { page } = await signedIn();
    const focused = () =>
      page.evaluate<{ tag: string; outline: string }>(
        "({ tag: document.activeElement.tagName, outline: getComputedStyle(document.activeElement).outlineStyle })",
      );
    expect(await focused()).toEqual({ tag: "H1", outline: "none" });
    await page.keyboard.press("Tab");
    const next = await focused();
    expect(next.outline).toBe("solid");
    await page.close();
  });

  it("runs a tool and cancels with the keyboard alone", async () => {
    const { page, token } = await signedIn();
    const slow = await model({ kind: "stream", chunks: ["slow "], repeat: 200, chunkDelayMs: 50 });
    await createTool(token, { ...chain(slow, slow, slow), name: "Keyboard" });
    await page.reload();
    await page.getByRole("heading", { name: "Tools" }).waitFor();
    await page.getByRole("link", { name: "Run Keyboard" }).focus();
    await page.keyboard.press("Enter");
    await page.getByRole("heading", { name: "Keyboard", exact: true, level: 1 }).waitFor();
    await page.keyboard.press("Tab");
    await page.keyboard.type("by keys");
    await page.keyboard.press("Enter");
    await page.getByRole("status").filter({ hasText: "Running" }).waitFor();
    await page.getByRole("button", { name: "Cancel" }).focus();
    await page.keyboard.press("Enter");
    await page.getByRole("status").filter({ hasText: "Canceled" }).waitFor();
    await page.close();
  });

  it("fits a phone: no sideways scrolling on the run page, the editor or history, and no axe violation there", async () => {
    const { page, token } = await signedIn(360);
    await createTool(token, { ...chain("demo", "demo", "demo"), name: "Phone" });
    await page.reload();
    await page.getByRole("link", { name: "Run Phone" }).click();
    await page.getByLabel("Topic (required)").fill("a long topic for a narrow screen");
    await page.getByRole("button", { name: "Run", exact: true }).click();
    await page.getByRole("status").filter({ hasText: "Completed" }).waitFor({ timeout: 20_000 });
    const overflow = () => page.evaluate<number>("document.documentElement.scrollWidth - window.innerWidth");
    await screenshot(page, "run-phone");
    const problems: Record<string, string[]> = { run: await accessibilityProblems(page) };
    expect(await overflow()).toBeLessThanOrEqual(0);
    await page.getByRole("button", { name: "Actions for outline" }).click();
    expect(await overflow()).toBeLessThanOrEqual(0);
    await page.keyboard.press("Escape");
    await page.getByRole("link", { name: "Edit Phone" }).click();
    await page.getByRole("heading", { name: "Edit tool" }).waitFor();
    problems.editor = await accessibilityProblems(page);
    expect(await overflow()).toBeLessThanOrEqual(0);
    await page.getByRole("link", { name: "History" }).click();
    await page.getByRole("list", { name: "Executions" }).getByRole("listitem").first().waitFor();
    problems.history = await accessibilityProblems(page);
    expect(await overflow()).toBeLessThanOrEqual(0);
    expect(problems).toEqual({ run: [], editor: [], history: [] });
    await page.close();
  });
});
