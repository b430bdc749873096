// The run view's tool calls and approvals against a scripted API: Playwright routes stand in for one
// run's record, its event stream (served in parts, resumed by Last-Event-ID as the server's would be) and
// its decision endpoint, so the cases the real Worker cannot produce on demand are pinned down: the
// buttons disabled while a decision is in flight, a failed send and a 409 said beside them, the focus
// left alone when a question arrives mid-stream and kept on the call after a keyboard decision, no axe
// violation and no sideways scrolling on a phone while it asks. The same page against the real Worker
// and the demo MCP server: page-approvals.browser.test.ts.
import type { Page, Route } from "playwright-core";
import { describe, expect, it } from "vitest";
import type { ExecutionEvent } from "../../src/events/types";
import { accessibilityProblems, base, signedIn, useBrowser } from "./page-helpers";

useBrowser();

const RUN = "00000000-0000-4000-8000-0000000000aa";
const TOOL = "classroom.post_announcement";
const ARGS = { message: "The museum trip is on Friday", title: "Trip" };

const opening: ExecutionEvent[] = [
  {
    type: "execution.started",
    data: {
      executionId: RUN,
      toolId: null,
      toolName: "Scripted announcer",
      prompts: [{ id: "p1", name: "announce", position: 0 }],
    },
  },
  { type: "prompt.started", data: { promptId: "p1", name: "announce", position: 0, model: "demo" } },
  { type: "prompt.delta", data: { promptId: "p1", delta: "Let me post that. " } },
  { type: "tool.called", data: { promptId: "p1", callId: "c1", name: TOOL, arguments: ARGS } },
];
const asking: ExecutionEvent = {
  type: "tool.approval_requested",
  data: { promptId: "p1", callId: "c1", name: TOOL, arguments: ARGS },
};
const ending = (decision: "approve" | "deny"): ExecutionEvent[] => [
  { type: "tool.decided", data: { promptId: "p1", callId: "c1", decision, by: "me" } },
  ...(decision === "approve"
    ? [
        {
          type: "tool.completed",
          data: { promptId: "p1", callId: "c1", isError: false, output: "Posted (scripted).", durationMs: 1234 },
        } as const,
      ]
    : []),
  { type: "prompt.delta", data: { promptId: "p1", delta: "Done." } },
  {
    type: "prompt.completed",
    data: { promptId: "p1", output: "Let me post that. Done.", durationMs: 2000, usage: null, costMicros: null },
  },
  {
    type: "execution.completed",
    data: { durationMs: 2100, usage: { inputTokens: 1, outputTokens: 1 }, costMicros: 0 },
  },
];

/**
 * One run as the server would show it: `log` grows as the test releases events; each stream request
 * gets what follows its Last-Event-ID (then the connection ends and the client comes back, as after the
 * server's time cap); `answers` scripts the decision endpoint, one answer per request.
 */
class ScriptedRun {
  readonly log: ExecutionEvent[] = [];
  readonly decisions: unknown[] = [];
  answers: { status: number; body: unknown; delayMs?: number }[] = [];

  async attach(page: Page): Promise<void> {
    await page.route(`**/api/executions/${RUN}**`, (route) => this.handle(route));
  }

  private async handle(route: Route): Promise<void> {
    const request = route.request();
    const path = new URL(request.url()).pathname;
    if (path.endsWith("/events")) {
      const after = Number(request.headers()["last-event-id"] ?? 0);
      const blocks = this.log
        .map((event, index) => ({ ...event, id: index + 1 }))
        .filter((event) => event.id > after)
        .map((event) => `id: ${event.id}\nevent: ${event.type}\ndata: ${JSON.stringify(event.data)}\n\n`);
      if (after >= this.log.length && this.log.at(-1)?.type === "execution.completed")
        return route.fulfill({ status: 204 });
      return route.fulfill({ status: 200, contentType: "text/event-stream", body: `retry: 100\n\n${blocks.join("")}` });
    }
    if (path.includes("/tool-calls/")) {
      this.decisions.push(request.postDataJSON());
      const answer = this.answers.shift() ?? { status: 500, body: {} };
      if (answer.delayMs) await new Promise((resolve) => setTimeout(resolve, answer.delayMs));
      return route.fulfill({ status: answer.status, json: answer.body });
    }
    return route.fulfill({ json: this.record() });
  }

  private record() {
    return {
      id: RUN,
      toolId: null,
      toolName: "Scripted announcer",
      status: "waiting",
      inputs: {},
      inputFields: [],
      sourceExecutionId: null,
      costMicros: null,
      budgetMicros: null,
      results: [],
      pendingToolCalls: [],
    };
  }
}

const approvalOf = (page: Page) => page.getByRole("region", { name: `Approve or deny ${TOOL}` });
const callOf = (page: Page) => page.getByRole("listitem", { name: `Tool call ${TOOL}` });
const recorded = (decision: "approve" | "deny") => ({
  status: 200,
  body: { callId: "c1", name: TOOL, arguments: ARGS, status: decision === "approve" ? "running" : "denied", decision },
});

async function openRun(run: ScriptedRun): Promise<Page> {
  const { page } = await signedIn();
  await run.attach(page);
  await page.goto(`${base()}/#/executions/${RUN}`);
  return page;
}

describe("an agent step's tool calls on the page (scripted API)", () => {
  it("asks without taking the focus; buttons disabled while the decision is sent; the stream's decision and result then show", async () => {
    const run = new ScriptedRun();
    run.log.push(...opening);
    const page = await openRun(run);
    const call = callOf(page);
    await call.locator(".status").filter({ hasText: "running" }).waitFor();
    expect(JSON.parse((await call.locator("pre.tool-args").textContent()) ?? "null")).toEqual(ARGS);
    await page.getByRole("button", { name: "Download .md" }).focus();
    run.log.push(asking);
    await approvalOf(page).waitFor();
    await page.getByRole("status").filter({ hasText: "Waiting for your approval" }).waitFor();
    expect(await page.evaluate<string>("document.activeElement.textContent")).toBe("Download .md");
    expect(await call.locator(".status").innerText()).toBe("waits for your approval");
    const fold = page.locator('article[data-prompt="announce"] button.fold');
    expect(await fold.getAttribute("aria-expanded")).toBe("true");
    // Pinned: the step cannot be folded while it waits.
    await fold.click({ force: true });
    expect(await fold.getAttribute("aria-expanded")).toBe("true");
    expect(await accessibilityProblems(page)).toEqual([]);
    await page.setViewportSize({ width: 360, height: 900 });
    expect(await page.evaluate<number>("document.documentElement.scrollWidth - window.innerWidth")).toBeLessThanOrEqual(
      0,
    );
    expect(await accessibilityProblems(page)).toEqual([]);
    await page.setViewportSize({ width: 1200, height: 900 });

    run.answers.push({ ...recorded("approve"), delayMs: 600 });
    await approvalOf(page).getByLabel("Reason (optional, told to the model)").fill("Fine by me");
    await approvalOf(page).getByRole("button", { name: "Approve" }).click();
    expect(await approvalOf(page).getByRole("button", { name: "Approve" }).isDisabled()).toBe(true);
    expect(await approvalOf(page).getByRole("button", { name: "Deny" }).isDisabled()).toBe(true);
    await approvalOf(page).getByText("Approved; the run goes on.").waitFor();
    expect(run.decisions).toEqual([{ decision: "approve", reason: "Fine by me" }]);

    run.log.push(...ending("approve"));
    await page.getByRole("status").filter({ hasText: "Completed" }).waitFor({ timeout: 10_000 });
    expect(await approvalOf(page).count()).toBe(0);
    expect(await call.locator(".status").innerText()).toBe("completed");
    expect(await call.locator(".meta").innerText()).toBe("Approved · 1.2 s");
    const result = call.locator("details.tool-result");
    expect(await result.locator("pre").isVisible()).toBe(false);
    await result.locator("summary").click();
    expect(await result.locator("pre").innerText()).toBe("Posted (scripted).");
    await page.close();
  });

  it("says a failed send beside the buttons and lets it be sent again; a 409 says it was already decided", async () => {
    const run = new ScriptedRun();
    run.log.push(...opening, asking);
    const page = await openRun(run);
    const approval = approvalOf(page);
    await approval.waitFor();
    run.answers.push({ status: 503, body: { error: { code: "unavailable", message: "Try again shortly" } } });
    await approval.getByRole("button", { name: "Deny" }).click();
    await approval.getByRole("alert").filter({ hasText: "Could not send the decision: Try again shortly" }).waitFor();
    expect(await approval.getByRole("button", { name: "Deny" }).isEnabled()).toBe(true);

    run.answers.push({ status: 409, body: { error: { code: "conflict", message: "decided" } } });
    await approval.getByRole("button", { name: "Deny" }).click();
    await approval.getByRole("alert").filter({ hasText: "Already decided." }).waitFor();
    expect(await approval.getByRole("button", { name: "Approve" }).isDisabled()).toBe(true);
    expect(run.decisions).toEqual([{ decision: "deny" }, { decision: "deny" }]);

    // The decision that won comes by the stream: an approval made elsewhere.
    run.log.push(...ending("approve"));
    await page.getByRole("status").filter({ hasText: "Completed" }).waitFor({ timeout: 10_000 });
    expect(await approval.count()).toBe(0);
    await page.close();
  });

  it("asks again after a reload; a keyboard decision leaves the focus on the call, and a denial shows no result", async () => {
    const run = new ScriptedRun();
    run.log.push(...opening, asking);
    const page = await openRun(run);
    await approvalOf(page).waitFor();
    await page.reload();
    await approvalOf(page).waitFor();
    expect(await page.locator(`article[data-prompt="announce"] .sub-items li`).count()).toBe(1);

    run.answers.push(recorded("deny"));
    await approvalOf(page).getByRole("button", { name: "Deny" }).focus();
    await page.keyboard.press("Enter");
    await approvalOf(page).getByText("Denied; the run goes on.").waitFor();
    run.log.push(...ending("deny"));
    await page.getByRole("status").filter({ hasText: "Completed" }).waitFor({ timeout: 10_000 });
    expect(await callOf(page).locator(".status").innerText()).toBe("denied");
    expect(await callOf(page).locator(".meta").innerText()).toBe("Denied");
    expect(await callOf(page).locator("details.tool-result").isVisible()).toBe(false);
    expect(await page.evaluate<string>("document.activeElement.getAttribute('aria-label')")).toBe(`Tool call ${TOOL}`);
    await page.close();
  });
});
