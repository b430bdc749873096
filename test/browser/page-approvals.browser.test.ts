// Agent steps on the page against the real Worker (SPEC §12): the offline demo model calls the demo MCP
// server's classroom.post_announcement, which needs approval. The page asks (the run waiting, its step
// open); Approve runs the tool and the answer quotes its result; the waiting run is `waiting` in the
// history and asks in another tab too; after a reload the replay asks again, and Deny (with a reason)
// reaches the model.
import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { announcer, apiCall, base, createTool, panelText, runTool, signedIn, useBrowser } from "./page-helpers";

useBrowser();

const TOOL = "classroom.post_announcement";

interface Recorded {
  status: string;
  results: { status: string; toolCalls: { name: string; status: string; decision?: string; reason?: string }[] }[];
  pendingToolCalls: { callId: string; name: string }[];
}

const approvalOf = (page: Page) => page.getByRole("region", { name: `Approve or deny ${TOOL}` });
const callOf = (page: Page) => page.getByRole("listitem", { name: `Tool call ${TOOL}` });
const executionId = (page: Page) => new URL(page.url()).hash.replace("#/executions/", "");

/** Runs the announcer tool from the page and waits until it asks. */
async function runUntilAsked(page: Page, token: string, name: string, topic: string): Promise<string> {
  await createTool(token, announcer(name));
  await runTool(page, name, topic);
  await approvalOf(page).waitFor({ timeout: 20_000 });
  return executionId(page);
}

describe("approving an agent step's tool call on the page", () => {
  it("runs on a stack whose MCP servers are the Worker's own demo servers (the tool needs approval)", async () => {
    const { token } = await signedIn();
    const listed = await apiCall<{ tools: { name: string; needsApproval: boolean }[]; errors: unknown[] }>(
      token,
      "/api/mcp/tools",
    );
    expect(listed.errors).toEqual([]);
    expect(listed.tools.map(({ name, needsApproval }) => [name, needsApproval])).toEqual([
      ["lesson.find_standard", false],
      [TOOL, true],
    ]);
  });

  it("asks with the arguments, the run waiting; Approve runs the tool once and the answer quotes it", async () => {
    const { page, token } = await signedIn();
    const id = await runUntilAsked(page, token, "Announcer", "the museum trip");
    await page.getByRole("status").filter({ hasText: "Waiting for your approval" }).waitFor();
    const panel = page.locator('article[data-prompt="announce"]');
    expect(await panel.locator("button.fold").getAttribute("aria-expanded")).toBe("true");
    expect(await panel.locator(".panel-head .status").innerText()).toBe("waiting");
    expect(await callOf(page).locator(".status").innerText()).toBe("waits for your approval");
    const args = JSON.parse((await callOf(page).locator("pre.tool-args").textContent()) ?? "null") as {
      message: string;
    };
    expect(args.message).toContain("the museum trip");
    // The focus was left where it was: nothing on the page took it for the question.
    expect(await page.evaluate<boolean>("document.activeElement?.closest('section.approval') === null")).toBe(true);

    const waiting = await apiCall<Recorded>(token, `/api/executions/${id}`);
    expect(waiting.status).toBe("waiting");
    expect(waiting.pendingToolCalls).toEqual([expect.objectContaining({ name: TOOL })]);

    // Another tab: the history lists the run as waiting (and the filter finds it), and the run there asks too.
    const other = await page.context().newPage();
    await other.goto(`${base()}/#/history?status=waiting`);
    const row = other.getByRole("list", { name: "Executions" }).getByRole("listitem").filter({ hasText: "Announcer" });
    await row.waitFor();
    expect(await row.locator(".status").innerText()).toBe("waiting");
    await row.getByRole("link", { name: "Announcer" }).click();
    await approvalOf(other).waitFor();

    await approvalOf(page).getByRole("button", { name: "Approve" }).click();
    await page.getByRole("status").filter({ hasText: "Completed" }).waitFor({ timeout: 20_000 });
    expect(await panelText(page, "announce")).toContain("Announcement posted to");
    expect(await approvalOf(page).count()).toBe(0);
    expect(await callOf(page).locator(".status").innerText()).toBe("completed");
    expect(await callOf(page).locator(".meta").innerText()).toContain("Approved");
    // The result is folded until asked for.
    const result = callOf(page).locator("details.tool-result");
    expect(await result.getAttribute("open")).toBeNull();
    await result.locator("summary").click();
    expect(await result.locator("pre").innerText()).toContain("(demo: nothing was sent)");
    // The other tab's stream carried the same decision.
    await other.getByRole("status").filter({ hasText: "Completed" }).waitFor({ timeout: 20_000 });
    expect(await approvalOf(other).count()).toBe(0);

    const done = await apiCall<Recorded>(token, `/api/executions/${id}`);
    expect(done.status).toBe("completed");
    expect(done.pendingToolCalls).toEqual([]);
    expect(done.results[0]?.toolCalls).toEqual([
      expect.objectContaining({ name: TOOL, status: "completed", decision: "approve" }),
    ]);
    await other.close();
    await page.close();
  });

  it("asks again after a reload (the replay), and Deny with a reason reaches the model", async () => {
    const { page, token } = await signedIn();
    const id = await runUntilAsked(page, token, "Careful announcer", "the school play");
    await page.reload();
    await approvalOf(page).waitFor({ timeout: 20_000 });
    await page.getByRole("status").filter({ hasText: "Waiting for your approval" }).waitFor();
    expect(await page.locator('article[data-prompt="announce"] button.fold').getAttribute("aria-expanded")).toBe(
      "true",
    );

    await approvalOf(page).getByLabel("Reason (optional, told to the model)").fill("Not before the parents are told");
    await approvalOf(page).getByRole("button", { name: "Deny" }).click();
    await page.getByRole("status").filter({ hasText: "Completed" }).waitFor({ timeout: 20_000 });
    expect(await approvalOf(page).count()).toBe(0);
    expect(await callOf(page).locator(".status").innerText()).toBe("denied");
    expect(await callOf(page).locator(".meta").innerText()).toBe("Denied: Not before the parents are told");
    expect(await callOf(page).locator("details.tool-result").isVisible()).toBe(false);
    expect(await panelText(page, "announce")).toContain("declined");

    const done = await apiCall<Recorded>(token, `/api/executions/${id}`);
    expect(done.results[0]?.toolCalls).toEqual([
      expect.objectContaining({
        name: TOOL,
        status: "denied",
        decision: "deny",
        reason: "Not before the parents are told",
      }),
    ]);
    await page.close();
  });
});
