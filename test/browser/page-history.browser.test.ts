// History that tells runs apart: each run's inputs, status, cost and duration; filters by tool and
// status kept in the URL; paging with "Load more".
import { describe, expect, it } from "vitest";
import { apiCall, base, chain, createTool, screenshot, signedIn, useBrowser } from "./page-helpers";

useBrowser();

describe("history", () => {
  it("shows each run's inputs, filters by tool and status, and pages with Load more", async () => {
    const { page, token } = await signedIn();
    const planner = await createTool(token, { ...chain("demo", "demo", "demo"), name: "Planner" });
    const quiz = await createTool(token, { ...chain("demo", "demo", "demo"), name: "Quiz" });
    // One at a time: a user has at most 5 live executions.
    const run = async (toolId: string, topic: string) => {
      const { id } = await apiCall<{ id: string }>(token, "/api/executions", { toolId, inputs: { topic, grade: "2" } });
      await expect
        .poll(async () => (await apiCall<{ status: string }>(token, `/api/executions/${id}`)).status, {
          timeout: 10_000,
        })
        .toBe("completed");
    };
    for (let i = 0; i < 22; i++) await run(planner, `topic ${i}`);
    await run(quiz, "volcanoes");
    await page.goto(`${base()}/#/history`);
    const items = page.getByRole("list", { name: "Executions" }).getByRole("listitem");
    await items.first().waitFor();
    expect(await items.count()).toBe(20);
    expect(await items.first().innerText()).toContain("topic: volcanoes · grade: 2");
    await expect.poll(async () => (await page.getByText("topic: topic 21 · grade: 2").count()) > 0).toBe(true);
    await screenshot(page, "history");
    await page.getByRole("button", { name: "Load more" }).click();
    await expect.poll(() => items.count()).toBe(23);
    expect(await page.getByRole("button", { name: "Load more" }).isVisible()).toBe(false);
    await page.getByLabel("Tool").selectOption({ label: "Quiz" });
    await page.getByRole("button", { name: "Filter" }).click();
    await expect.poll(() => items.count()).toBe(1);
    expect(page.url()).toContain(`toolId=${quiz}`);
    await page.getByLabel("Tool").selectOption({ label: "All" });
    await page.getByLabel("Status").selectOption("canceled");
    await page.getByRole("button", { name: "Filter" }).click();
    await page.getByText("No executions match.").waitFor();
    await page.close();
  });
});
