// What the page tests share: Debian Chromium (playwright-core) against wrangler dev, a signed-in
// page for a fresh user, tools made through the API, the scripted upstream, axe-core scans.
import { randomUUID } from "node:crypto";
import { createRequire } from "node:module";
import { type Browser, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll, expect, inject } from "vitest";
import type { UpstreamAttempt } from "../upstream/scripts";

export const base = () => inject("pageUrl");
/** `npm run screenshots` sets this; `npm run test:e2e` leaves the tracked screenshots alone. */
const SCREENSHOTS_DIR = process.env.SCREENSHOTS_DIR;

/** Saves a screenshot for the docs, only when asked for. */
export async function screenshot(page: Page, name: string): Promise<void> {
  if (SCREENSHOTS_DIR) await page.screenshot({ path: `${SCREENSHOTS_DIR}/${name}.png`, fullPage: true });
}
let browser: Browser;

/** Launches Chromium for the file that calls it, and closes it after. */
export function useBrowser(): void {
  beforeAll(async () => {
    browser = await chromium.launch({
      executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
      args: [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
      ],
    });
  });
  afterAll(async () => browser?.close());
}

/** Scripts the upstream under a fixed name (a catalogue entry's upstream model). */
export async function scriptUpstream(name: string, attempts: UpstreamAttempt[]): Promise<void> {
  await fetch(`${inject("pageUpstreamUrl")}/__scripts`, {
    method: "POST",
    body: JSON.stringify({ model: name, attempts }),
  });
}

/** Scripts the upstream under a fresh model name; use that name as the prompt's model. */
export async function model(...attempts: UpstreamAttempt[]): Promise<string> {
  const name = `page-${randomUUID()}`;
  await scriptUpstream(name, attempts);
  return name;
}

export const words = (count: number, prefix: string) => Array.from({ length: count }, (_, i) => `${prefix}${i} `);

/**
 * A page in a fresh browser context (its own cookies and storage), not signed in. The context is made
 * explicitly so that a test can open a second tab in it (`page.context().newPage()`); it closes with the page.
 */
export async function newPage(width = 1200, permissions: string[] = []): Promise<Page> {
  const context = await browser.newContext({ viewport: { width, height: 900 }, permissions, acceptDownloads: true });
  const page = await context.newPage();
  // At the end of a file the browser may be closing the context already; that close is the same end.
  page.once("close", () => void context.close().catch(() => undefined));
  return page;
}

/** A dev token for `user` (the stack runs with DEV_TOKENS on). */
export async function devToken(user: string): Promise<string> {
  return ((await (await fetch(`${base()}/dev/token?user=${encodeURIComponent(user)}`)).json()) as { token: string })
    .token;
}

/** A signed-in page (via the dev token button) for a fresh user, and that user's token. */
export async function signedIn(width = 1200, permissions: string[] = []): Promise<{ page: Page; token: string }> {
  const user = `page-${randomUUID()}`;
  const token = await devToken(user);
  const page = await newPage(width, permissions);
  await page.goto(base());
  await page.getByRole("textbox", { name: "Access token" }).fill(token);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByRole("heading", { name: "Tools" }).waitFor();
  return { page, token };
}

export async function createTool(token: string, body: unknown): Promise<string> {
  const response = await fetch(`${base()}/api/tools`, {
    method: "POST",
    headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json" },
    body: JSON.stringify(body),
  });
  expect(response.status).toBe(201);
  return ((await response.json()) as { id: string }).id;
}

export const chain = (outline: string, parallelA: string, parallelB: string) => ({
  name: "Lesson planner",
  inputFields: [
    { name: "topic", label: "Topic", type: "text", required: true },
    { name: "grade", label: "Grade", type: "select", options: ["K", "1", "2"] },
  ],
  prompts: [
    { name: "outline", position: 0, model: outline, content: "Outline {{topic}}" },
    { name: "activity", position: 1, model: parallelA, content: "Activity for {{outline}}" },
    { name: "homework", position: 1, model: parallelB, content: "Homework for {{outline}}" },
  ],
});

/**
 * An agent step on the offline `demo` model with the demo MCP server's `classroom.post_announcement`,
 * which needs a person's approval (the stack serves the demo servers; global-setup.ts). The demo model
 * calls it once with the prompt's words as arguments, then answers by quoting the tool's result.
 */
export const announcer = (name = "Announcer") => ({
  name,
  inputFields: [{ name: "topic", label: "Topic", type: "text", required: true }],
  prompts: [
    {
      name: "announce",
      position: 0,
      model: "demo",
      content: "Post an announcement about {{topic}}",
      tools: ["classroom.post_announcement"],
      maxSteps: 4,
    },
  ],
});

export async function runTool(page: Page, toolName: string, topic?: string) {
  await page.goto(`${base()}/#/`);
  await page
    .getByRole("link", { name: `Run ${toolName}` })
    .first()
    .click();
  if (topic !== undefined) await page.getByLabel("Topic (required)").fill(topic);
  await page.getByRole("button", { name: "Run", exact: true }).click();
}

/** Opens a prompt panel's actions menu and chooses `action` ("Copy Markdown", "Rerun from here", …). */
export async function panelAction(page: Page, name: string, action: string): Promise<void> {
  await page.getByRole("button", { name: `Actions for ${name}` }).click();
  await page.getByRole("menuitem", { name: action }).click();
}

/** Opens (or folds) a prompt panel by its one-line summary. */
export const togglePanel = (page: Page, name: string) =>
  page.locator(`article[data-prompt="${name}"] button.fold`).click();

/** Sends a request to the API as the holder of `token`. */
export async function apiCall<T>(token: string, path: string, body?: unknown): Promise<T> {
  const response = await fetch(`${base()}${path}`, {
    method: body === undefined ? "GET" : "POST",
    headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  expect(response.ok, `${path}: ${response.status}`).toBe(true);
  return (await response.json()) as T;
}

/** A panel's raw text (what the model sent), whichever view is showing. */
export const panelText = async (page: Page, name: string) =>
  (await page.locator(`article[data-prompt="${name}"] pre.raw`).textContent()) ?? "";

/** A panel's visible output area (rendered Markdown, or the raw text when toggled). */
export const panelOutput = (page: Page, name: string) => page.locator(`article[data-prompt="${name}"] .output`);

interface AxeResults {
  violations: { id: string; impact: string | null; nodes: { target: unknown }[] }[];
}

const axeSource = createRequire(import.meta.url).resolve("axe-core/axe.min.js");

/** axe-core's serious and critical violations on the page as it is now (an empty list passes). */
export async function accessibilityProblems(page: Page): Promise<string[]> {
  await page.addScriptTag({ path: axeSource });
  // Runs in the page: `axe` is the global the script tag defined.
  const results = await page.evaluate<AxeResults>("axe.run(document)");
  return results.violations
    .filter((violation) => violation.impact === "serious" || violation.impact === "critical")
    .map((violation) => `${violation.id}: ${violation.nodes.map((node) => JSON.stringify(node.target)).join(", ")}`);
}
