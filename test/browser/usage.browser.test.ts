// The administrators' screens: Usage shows spend per day as a chart (named, with a table), the top users
// and tools, and downloads each report as CSV; Audit lists the trail; neither has a serious axe violation.
// Everyone else sees no link to them, and the admin API answers them 404.
import { readFile } from "node:fs/promises";
import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { PAGE_ADMIN } from "./page-admin";
import {
  accessibilityProblems,
  apiCall,
  base,
  createTool,
  devToken,
  newPage,
  screenshot,
  signedIn,
  useBrowser,
} from "./page-helpers";

useBrowser();

/** A page signed in with the dev token of `user` (as signedIn does for a fresh user). */
async function signedInAs(user: string): Promise<Page> {
  const page = await newPage();
  await page.goto(base());
  await page.getByRole("textbox", { name: "Access token" }).fill(await devToken(user));
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByRole("heading", { name: "Tools" }).waitFor();
  return page;
}

const adminGet = async (path: string, user = PAGE_ADMIN) =>
  fetch(`${base()}${path}`, { headers: { Authorization: `Bearer ${await devToken(user)}` } });

describe("the Usage and Audit screens", () => {
  it("show an administrator the chart, the top users and tools, a CSV download and the audit trail", async () => {
    // Someone runs a priced tool today; the admin reads that run (an audited read).
    const teacher = `page-usage-${crypto.randomUUID()}`;
    const token = await devToken(teacher);
    const toolId = await createTool(token, {
      name: "Usage chart tool",
      inputFields: [{ name: "topic", label: "Topic", type: "text", required: true }],
      prompts: [{ name: "answer", position: 0, model: "priced-usage", content: "Explain {{topic}}" }],
    });
    const { id } = await apiCall<{ id: string }>(token, "/api/executions", { toolId, inputs: { topic: "tides" } });
    await expect
      .poll(
        async () => {
          const report = (await (await adminGet("/api/admin/usage?groupBy=tool")).json()) as {
            rows: { key: string }[];
          };
          return report.rows.some((row) => row.key === toolId);
        },
        { timeout: 20_000, interval: 250 },
      )
      .toBe(true);
    expect((await adminGet(`/api/admin/executions/${id}`)).status).toBe(200);

    const page = await signedInAs(PAGE_ADMIN);
    await page.getByRole("link", { name: "Usage" }).click();
    await page.getByRole("heading", { name: "Usage", level: 1 }).waitFor();
    const chart = page.getByRole("img", { name: "Spend per day" });
    await chart.waitFor();
    expect(await chart.getAttribute("aria-labelledby")).toBe("usage-chart-title usage-chart-desc");
    expect(await page.locator("#usage-chart-desc").textContent()).toMatch(
      /^Spend per UTC day from .* the highest day is/,
    );
    const today = new Date().toISOString().slice(0, 10);
    await page.getByText("Show as a table").click();
    const dayTable = page.getByRole("table", { name: "Spend per day" });
    await expect.poll(() => dayTable.getByRole("row").count()).toBe(31);
    expect(await dayTable.getByRole("row", { name: new RegExp(today) }).textContent()).toMatch(/\$\d/);
    await page
      .getByRole("table", { name: /Top 10 users/ })
      .getByRole("rowheader", { name: teacher })
      .waitFor();
    await page
      .getByRole("table", { name: /Top 10 tools/ })
      .getByRole("rowheader", { name: "Usage chart tool" })
      .waitFor();
    expect(await accessibilityProblems(page)).toEqual([]);
    await screenshot(page, "usage");

    const [download] = await Promise.all([
      page.waitForEvent("download"),
      page.getByRole("link", { name: "Per tool (CSV)" }).click(),
    ]);
    expect(download.suggestedFilename()).toMatch(/^usage-all-by-tool-\d{4}-\d{2}-\d{2}-to-\d{4}-\d{2}-\d{2}\.csv$/);
    const csv = await readFile(await download.path(), "utf8");
    expect(csv.replace(/^\uFEFF/, "").split("\r\n")[0]).toBe(
      "key,label,executions,completed,failed,inputTokens,outputTokens,costMicros",
    );
    expect(csv).toContain(`${toolId},Usage chart tool,1,1,0,`);

    await page.getByRole("link", { name: "Audit" }).click();
    await page.getByRole("heading", { name: "Audit trail" }).waitFor();
    const read = page.getByRole("row").filter({ hasText: id });
    await read.waitFor();
    expect(await read.textContent()).toContain("Read another user's execution");
    expect(await accessibilityProblems(page)).toEqual([]);
    await page.close();
  });

  it("show no Usage link to anyone else, whose admin API answers 404", async () => {
    const { page, token } = await signedIn();
    expect(await page.getByRole("link", { name: "Usage" }).count()).toBe(0);
    expect(await page.getByRole("link", { name: "Audit" }).count()).toBe(0);
    for (const path of ["/api/admin/usage", "/api/admin/audit", "/api/admin/usage?format=csv"]) {
      const response = await fetch(`${base()}${path}`, { headers: { Authorization: `Bearer ${token}` } });
      expect(response.status, path).toBe(404);
    }
    await page.goto(`${base()}/#/usage`);
    await page.getByRole("heading", { name: "Not found" }).waitFor();
    await page.close();
  });
});
