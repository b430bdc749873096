// Deleting a run from the page (SPEC §13): from the history and from the run's own screen, each after
// a confirmation; a dismissed confirmation deletes nothing; a deleted run's address answers "not found".
import { describe, expect, it } from "vitest";
import { apiCall, base, chain, createTool, signedIn, useBrowser } from "./page-helpers";

useBrowser();

async function completedRun(token: string, toolId: string, topic: string): Promise<string> {
  const { id } = await apiCall<{ id: string }>(token, "/api/executions", { toolId, inputs: { topic, grade: "2" } });
  await expect
    .poll(async () => (await apiCall<{ status: string }>(token, `/api/executions/${id}`)).status, { timeout: 10_000 })
    .toBe("completed");
  return id;
}

const status = async (token: string, path: string) =>
  (await fetch(`${base()}${path}`, { headers: { Authorization: `Bearer ${token}` } })).status;

describe("deleting a run", () => {
  it("from the history, after a confirmation (dismissing it deletes nothing)", async () => {
    const { page, token } = await signedIn();
    const tool = await createTool(token, { ...chain("demo", "demo", "demo"), name: "Planner" });
    const kept = await completedRun(token, tool, "kept");
    const doomed = await completedRun(token, tool, "doomed");
    await page.goto(`${base()}/#/history`);
    const items = page.getByRole("list", { name: "Executions" }).getByRole("listitem");
    await expect.poll(() => items.count()).toBe(2);
    const row = items.filter({ hasText: "Topic: doomed" });

    page.once("dialog", (dialog) => void dialog.dismiss());
    await row.getByRole("button", { name: "Delete the run of Planner" }).click();
    expect(await status(token, `/api/executions/${doomed}`)).toBe(200);

    page.once("dialog", (dialog) => {
      expect(dialog.message()).toContain("removed for good");
      void dialog.accept();
    });
    await row.getByRole("button", { name: "Delete the run of Planner" }).click();
    await page.getByText("Deleted the run of Planner.").waitFor();
    await expect.poll(() => items.count()).toBe(1);
    expect(await status(token, `/api/executions/${doomed}`)).toBe(404);
    expect(await status(token, `/api/executions/${kept}`)).toBe(200);
    await page.reload();
    await expect.poll(() => items.count()).toBe(1);
    await page.close();
  });

  it("from its own screen: back to the tool's form; the run's address then says it is not found", async () => {
    const { page, token } = await signedIn();
    const tool = await createTool(token, { ...chain("demo", "demo", "demo"), name: "Planner" });
    const id = await completedRun(token, tool, "on screen");
    await page.goto(`${base()}/#/executions/${id}`);
    await page.getByRole("button", { name: "Delete run" }).waitFor();
    page.once("dialog", (dialog) => void dialog.accept());
    await page.getByRole("button", { name: "Delete run" }).click();
    await page.getByText("Deleted. Fill in the inputs").waitFor();
    expect(page.url()).toContain(`#/tools/${tool}/run`);
    expect(await status(token, `/api/executions/${id}`)).toBe(404);
    await page.goto(`${base()}/#/executions/${id}`);
    await page
      .getByText(/not found/i)
      .first()
      .waitFor();
    await page.close();
  });
});
