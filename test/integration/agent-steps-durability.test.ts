// Agent steps across restarts, time and stops (SPEC §12): a run killed while it waits is approved later
// and goes on, the tool run once; a call with effects cut by a restart is never sent again (the model
// is told it was interrupted) while a read-only one is; a call nobody decides is denied by `timeout`
// (the object's clock and alarm, no waiting); cancel while waiting and while a tool runs; a waiting run
// holds no concurrency slot; a server that is down is an error result to the model, never a failure; a
// budget counts every turn, a tool's result as the next turn's input. This file owns priced-5-upstream.
import { abortAllDurableObjects, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { ExecutionSession } from "../../src/durable/execution-session";
import { decide, eventsUntilEnd, fn, recordOf, serverCalls, startAgent } from "../helpers/agent";
import { apiJson } from "../helpers/api";
import { newUser } from "../helpers/auth";
import { createToolFor } from "../helpers/executions";
import { mcpCounts } from "../helpers/mcp";
import { advanceClock, sessionStub } from "../helpers/session";
import { lessonPlanner } from "../helpers/tools";
import { scriptModel, scriptUpstreamName, streamOf, toolCallsOf, upstreamRequests, waitFor } from "../helpers/upstream";

const statusIs = (user: string, id: string, status: string) =>
  waitFor(
    async () => {
      const record = await recordOf(user, id);
      return record.status === status ? record : undefined;
    },
    5_000,
    `the run to be ${status}`,
  );

/** Waits until the test server has started `count` calls of `tool`. */
const started = (tool: "slow" | "slow_write", count: number) =>
  waitFor(async () => (await serverCalls(tool)) >= count, 5_000, `${tool} to start`);

describe("an agent step across a restart", () => {
  it("killed while waiting, then approved: goes on, and the tool runs once", async () => {
    const user = newUser();
    const before = await serverCalls("delete_record");
    const run = await startAgent(user, [
      toolCallsOf([{ id: "m1", name: fn("delete_record"), arguments: '{"id":"r-1"}' }]),
      streamOf("Done after the restart."),
    ]);
    const waiting = await statusIs(user, run.id, "waiting");
    await abortAllDurableObjects();
    const callId = waiting.pendingToolCalls[0]?.callId ?? "";
    // Another tab (a fresh read) still sees the approval, in the record and in the replay.
    expect((await recordOf(user, run.id)).pendingToolCalls.map((call) => call.callId)).toEqual([callId]);
    expect((await decide(user, run.id, callId, { decision: "approve" })).status).toBe(200);
    const events = await eventsUntilEnd(user, run.id);
    expect(events.filter((event) => event.type === "tool.approval_requested")).toHaveLength(1);
    expect(events.at(-1)?.type).toBe("execution.completed");
    expect(await serverCalls("delete_record")).toBe(before + 1);
  });

  it("never sends a call with effects again after a restart cut it: the model is told it was interrupted", async () => {
    const user = newUser();
    const before = await serverCalls("slow_write");
    const run = await startAgent(user, [
      toolCallsOf([{ id: "m1", name: fn("slow_write"), arguments: '{"ms":1500}' }]),
      streamOf("It may have been written."),
    ]);
    const waiting = await statusIs(user, run.id, "waiting");
    await decide(user, run.id, waiting.pendingToolCalls[0]?.callId ?? "", { decision: "approve" });
    await started("slow_write", before + 1);
    await abortAllDurableObjects();
    const events = await eventsUntilEnd(user, run.id);
    expect(events.at(-1)?.type).toBe("execution.completed");
    expect(await serverCalls("slow_write")).toBe(before + 1);
    const call = (await recordOf(user, run.id)).results[0]?.toolCalls?.[0];
    expect(call).toMatchObject({ status: "interrupted", isError: true });
    const [, second] = await upstreamRequests(run.model);
    const told = second?.body.messages.find((message) => message.role === "tool") as { content: unknown };
    expect(String(told.content)).toContain("interrupted");
  });

  it("sends a read-only call cut by a restart again", async () => {
    const user = newUser();
    const before = await serverCalls("slow");
    const run = await startAgent(user, [
      toolCallsOf([{ id: "m1", name: fn("slow"), arguments: '{"ms":600}' }]),
      streamOf("Waited."),
    ]);
    await started("slow", before + 1);
    await abortAllDurableObjects();
    const events = await eventsUntilEnd(user, run.id);
    expect(events.at(-1)?.type).toBe("execution.completed");
    expect(await serverCalls("slow")).toBe(before + 2);
    expect((await recordOf(user, run.id)).results[0]?.toolCalls?.[0]).toMatchObject({ status: "completed" });
  });
});

describe("an agent step's waits and stops", () => {
  it("denies a call nobody decided within APPROVAL_TIMEOUT_MS, by timeout", async () => {
    const user = newUser();
    const run = await startAgent(user, [
      toolCallsOf([{ id: "m1", name: fn("delete_record"), arguments: '{"id":"r-2"}' }]),
      streamOf("Nobody answered."),
    ]);
    await statusIs(user, run.id, "waiting");
    const stub = sessionStub(run.id);
    await runInDurableObject(stub, (instance: ExecutionSession) => advanceClock(instance, 86_400_000 + 1));
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    const events = await eventsUntilEnd(user, run.id);
    expect(events.find((event) => event.type === "tool.decided")?.data).toMatchObject({
      decision: "deny",
      by: "timeout",
    });
    expect(events.at(-1)?.type).toBe("execution.completed");
    expect((await recordOf(user, run.id)).results[0]?.toolCalls?.[0]).toMatchObject({
      status: "denied",
      decidedBy: "timeout",
    });
  });

  it("holds no concurrency slot while waiting: five more runs may start meanwhile", async () => {
    const user = newUser();
    const run = await startAgent(user, [
      toolCallsOf([{ id: "m1", name: fn("delete_record"), arguments: '{"id":"r-3"}' }]),
      streamOf("ok"),
    ]);
    await statusIs(user, run.id, "waiting");
    const tool = await createToolFor(user, lessonPlanner(await scriptModel(streamOf("x"))));
    const pending = async () =>
      (await apiJson("/api/executions", { user, body: { toolId: tool.id, inputs: { topic: "t" }, start: false } }))
        .status;
    for (let i = 0; i < 5; i++) expect(await pending()).toBe(201);
    expect(await pending()).toBe(429);
  });

  it("cancels while waiting: the call is denied by the system, no model request follows", async () => {
    const user = newUser();
    const run = await startAgent(user, [
      toolCallsOf([{ id: "m1", name: fn("delete_record"), arguments: '{"id":"r-4"}' }]),
      streamOf("never"),
    ]);
    await statusIs(user, run.id, "waiting");
    const canceled = await apiJson<{ status: string }>(`/api/executions/${run.id}/cancel`, { user, method: "POST" });
    expect(canceled.body.status).toBe("canceled");
    expect(await upstreamRequests(run.model)).toHaveLength(1);
    const record = await recordOf(user, run.id);
    expect(record.pendingToolCalls).toEqual([]);
    expect(record.results[0]?.toolCalls?.[0]).toMatchObject({ status: "denied", decidedBy: "system" });
  });

  it("cancels while a tool runs: the call's request is stopped", async () => {
    const user = newUser();
    const before = (await mcpCounts("deployment")).canceled.slow ?? 0;
    const calls = await serverCalls("slow");
    const run = await startAgent(user, [
      toolCallsOf([{ id: "m1", name: fn("slow"), arguments: '{"ms":5000}' }]),
      streamOf("never"),
    ]);
    await started("slow", calls + 1);
    const canceled = await apiJson<{ status: string }>(`/api/executions/${run.id}/cancel`, { user, method: "POST" });
    expect(canceled.body.status).toBe("canceled");
    await waitFor(
      async () => ((await mcpCounts("deployment")).canceled.slow ?? 0) > before,
      3_000,
      "the call canceled",
    );
    expect((await recordOf(user, run.id)).results[0]?.toolCalls?.[0]).toMatchObject({ status: "interrupted" });
  });

  it("stops at the budget inside the loop: a large tool result is the next turn's input, which it cannot pay", async () => {
    const user = newUser();
    await scriptUpstreamName("priced-5-upstream", [
      toolCallsOf([{ id: "m1", name: fn("huge"), arguments: '{"bytes":40000}' }]),
      streamOf("never asked"),
    ]);
    const run = await startAgent(user, [], { model: "priced-5", budgetMicros: 5_000 });
    const waiting = await statusIs(user, run.id, "waiting");
    await decide(user, run.id, waiting.pendingToolCalls[0]?.callId ?? "", { decision: "approve" });
    const events = await eventsUntilEnd(user, run.id);
    expect(events.at(-1)).toMatchObject({ type: "execution.failed", data: { error: { code: "budget_exceeded" } } });
    expect(await upstreamRequests("priced-5-upstream")).toHaveLength(1);
    expect((await recordOf(user, run.id)).results[0]?.toolCalls?.[0]).toMatchObject({ status: "completed" });
  });

  it("answers the model with an error result when its server is down, and the run goes on", async () => {
    const user = newUser();
    const run = await startAgent(
      user,
      [toolCallsOf([{ id: "m1", name: "down__anything", arguments: "{}" }]), streamOf("The tool is unavailable.")],
      { tools: ["down.*", "tools.lookup"] },
    );
    const events = await eventsUntilEnd(user, run.id);
    expect(events.at(-1)?.type).toBe("execution.completed");
    const [first] = await upstreamRequests(run.model);
    expect(first?.body.tools?.map((tool) => tool.function.name)).toEqual([fn("lookup")]);
    expect((await recordOf(user, run.id)).results[0]?.toolCalls?.[0]).toMatchObject({
      status: "failed",
      isError: true,
    });
  });
});
