// History that tells runs apart: each run's inputs, status, cost and duration; filters by tool and
// status kept in the URL; paging with "Load more".
import { describe, expect, it } from "vitest";
import { apiCall, base, chain, createTool, model, screenshot, signedIn, useBrowser } from "./page-helpers";

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
    expect(await items.first().innerText()).toContain("Topic: volcanoes · Grade: 2");
    await expect.poll(async () => (await page.getByText("Topic: topic 21 · Grade: 2").count()) > 0).toBe(true);
    await page.getByRole("button", { name: "Load more" }).click();
    await expect.poll(() => items.count()).toBe(23);
    expect(await page.getByRole("button", { name: "Load more" }).isVisible()).toBe(false);
    // Filters apply as soon as they are chosen, and the URL keeps them.
    await page.getByLabel("Tool").selectOption({ label: "Quiz" });
    await expect.poll(() => items.count()).toBe(1);
    expect(page.url()).toContain(`toolId=${quiz}`);
    await page.getByLabel("Tool").selectOption({ label: "All" });
    await page.getByLabel("Status").selectOption("canceled");
    await page.getByText("No executions match.").waitFor();
    await page.close();
  });

  it("finds a run by a word of its answer as you type, and shows each run's answer preview", async () => {
    const { page, token } = await signedIn();
    const answering = async (text: string) =>
      createTool(token, {
        name: "Answers",
        inputFields: [{ name: "topic", label: "Topic", type: "text", required: true }],
        prompts: [
          { name: "only", position: 0, model: await model({ kind: "stream", chunks: [text] }), content: "{{topic}}" },
        ],
      });
    const runs = [
      { tool: await answering("Columns form hexagons as lava cools."), topic: "Basalt" },
      { tool: await answering("Reefs are built by polyps."), topic: "Coral" },
      {
        tool: await answering("Obsidian is volcanic glass: lava that cooled too fast for crystals."),
        topic: "Obsidian",
      },
    ];
    for (const { tool, topic } of runs) {
      const { id } = await apiCall<{ id: string }>(token, "/api/executions", { toolId: tool, inputs: { topic } });
      await expect
        .poll(async () => (await apiCall<{ status: string }>(token, `/api/executions/${id}`)).status)
        .toBe("completed");
    }
    await page.goto(`${base()}/#/history`);
    const items = page.getByRole("list", { name: "Executions" }).getByRole("listitem");
    await expect.poll(() => items.count()).toBe(3);
    expect(await items.nth(1).locator(".answer-preview").innerText()).toBe("Reefs are built by polyps.");
    // A word only the answer has, in another case.
    await page.getByLabel("Search inputs and answers").fill("POLYPS");
    await expect.poll(() => items.count()).toBe(1);
    expect(await items.first().innerText()).toContain("Topic: Coral");
    expect(page.url()).toContain("q=POLYPS");
    await page.reload();
    await expect.poll(() => items.count()).toBe(1);
    expect(await page.getByLabel("Search inputs and answers").inputValue()).toBe("POLYPS");
    await page.getByLabel("Search inputs and answers").fill("lava");
    await expect.poll(() => items.count()).toBe(2);
    await screenshot(page, "history");
    await page.getByLabel("Search inputs and answers").fill("nothing like this");
    await page.getByText("No executions match.").waitFor();
    await page.close();
  });
});
