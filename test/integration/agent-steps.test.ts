// Agent steps (SPEC §12) through the API, with the scripted model asking for tool calls and the test MCP
// server running them: a read-only tool runs at once and its result reaches the model's next request; a
// tool that needs approval waits (`waiting`, no model request meanwhile) until the owner approves (it
// runs once) or denies (the model is told); decisions are idempotent, conflicting ones 409, another
// user's 404; arguments that fail the schema are never run; `maxSteps`.
import { describe, expect, it } from "vitest";
import { decide, eventsUntilEnd, fn, recordOf, serverCalls, startAgent } from "../helpers/agent";
import { newUser } from "../helpers/auth";
import { streamOf, toolCallsOf, upstreamRequests, waitFor } from "../helpers/upstream";

const waiting = (user: string, id: string) =>
  waitFor(
    async () => {
      const record = await recordOf(user, id);
      return record.status === "waiting" ? record : undefined;
    },
    5_000,
    "the run to wait",
  );

describe("an agent step", () => {
  it("runs a read-only tool at once and sends its result to the model's next turn", async () => {
    const user = newUser();
    const before = await serverCalls("lookup");
    const run = await startAgent(user, [
      toolCallsOf([{ id: "m1", name: fn("lookup"), arguments: '{"topic":"volcanoes","grade":4}' }], {
        text: "Let me look. ",
      }),
      streamOf("Magma rises."),
    ]);
    const events = await eventsUntilEnd(user, run.id);
    // Deltas may come in any number of pieces: one entry per run of them.
    const types = events
      .map((event) => event.type)
      .filter((type, i, all) => type !== "prompt.delta" || all[i - 1] !== type);
    expect(types).toEqual([
      "execution.started",
      "prompt.started",
      "prompt.delta",
      "tool.called",
      "tool.completed",
      "prompt.delta",
      "prompt.completed",
      "execution.completed",
    ]);
    expect(await serverCalls("lookup")).toBe(before + 1);
    const [, second] = await upstreamRequests(run.model);
    const toolMessage = second?.body.messages.find((message) => message.role === "tool");
    expect(toolMessage).toMatchObject({ tool_call_id: "m1" });
    expect(String((toolMessage as { content: unknown }).content)).toContain("volcanoes");
    const record = await recordOf(user, run.id);
    expect(record.results[0]).toMatchObject({ status: "completed", output: "Let me look. Magma rises." });
    expect(record.results[0]?.toolCalls).toEqual([
      expect.objectContaining({
        name: "tools.lookup",
        status: "completed",
        isError: false,
        arguments: { topic: "volcanoes", grade: 4 },
      }),
    ]);
    expect(record.pendingToolCalls).toEqual([]);
  });

  it("waits for approval (no model request meanwhile), runs the tool once when approved, and answers", async () => {
    const user = newUser();
    const before = await serverCalls("delete_record");
    const run = await startAgent(user, [
      toolCallsOf([{ id: "m1", name: fn("delete_record"), arguments: '{"id":"r-7"}' }]),
      streamOf("Deleted."),
    ]);
    const record = await waiting(user, run.id);
    const [pending] = record.pendingToolCalls;
    expect(pending).toMatchObject({ name: "tools.delete_record", arguments: { id: "r-7" } });
    expect(record.results[0]).toMatchObject({ status: "waiting" });
    expect(await upstreamRequests(run.model)).toHaveLength(1);
    expect(await serverCalls("delete_record")).toBe(before);
    const callId = pending?.callId ?? "";

    expect((await decide(newUser(), run.id, callId, { decision: "approve" })).status).toBe(404);
    const approved = await decide(user, run.id, callId, { decision: "approve" });
    expect(approved.status).toBe(200);
    expect(approved.body).toMatchObject({ callId, decision: "approve" });
    expect((await decide(user, run.id, callId, { decision: "approve" })).status).toBe(200);
    expect((await decide(user, run.id, callId, { decision: "deny" })).status).toBe(409);
    expect((await decide(user, run.id, "no-such-call", { decision: "deny" })).status).toBe(404);

    const events = await eventsUntilEnd(user, run.id);
    expect(events.map((event) => event.type)).toContain("tool.approval_requested");
    expect(events.at(-1)?.type).toBe("execution.completed");
    expect(await serverCalls("delete_record")).toBe(before + 1);
    const done = await recordOf(user, run.id);
    expect(done.results[0]).toMatchObject({ status: "completed", output: "Deleted." });
    expect(done.results[0]?.toolCalls?.[0]).toMatchObject({
      status: "completed",
      decision: "approve",
      decidedBy: user,
    });
  });

  it("tells the model a denied call was declined, with the reason, and never runs it", async () => {
    const user = newUser();
    const before = await serverCalls("delete_record");
    const run = await startAgent(user, [
      toolCallsOf([{ id: "m1", name: fn("delete_record"), arguments: '{"id":"r-8"}' }]),
      streamOf("Understood."),
    ]);
    const record = await waiting(user, run.id);
    const callId = record.pendingToolCalls[0]?.callId ?? "";
    expect((await decide(user, run.id, callId, { decision: "deny", reason: "not today" })).status).toBe(200);
    const events = await eventsUntilEnd(user, run.id);
    expect(events.find((event) => event.type === "tool.decided")?.data).toMatchObject({
      decision: "deny",
      reason: "not today",
      by: user,
    });
    expect(events.some((event) => event.type === "tool.completed")).toBe(false);
    const [, second] = await upstreamRequests(run.model);
    const told = second?.body.messages.find((message) => message.role === "tool") as { content: unknown };
    expect(String(told.content)).toContain("declined");
    expect(String(told.content)).toContain("not today");
    expect(await serverCalls("delete_record")).toBe(before);
    expect((await recordOf(user, run.id)).results[0]?.toolCalls?.[0]).toMatchObject({ status: "denied" });
  });

  it("sends arguments that fail the tool's schema back to the model as an error, never to the tool", async () => {
    const user = newUser();
    const before = await serverCalls("lookup");
    const run = await startAgent(user, [
      toolCallsOf([
        { id: "m1", name: fn("lookup"), arguments: '{"topic":"x"}' },
        { id: "m2", name: fn("lookup"), arguments: "{not json" },
        { id: "m3", name: "tools__nope", arguments: "{}" },
      ]),
      streamOf("Sorry."),
    ]);
    await eventsUntilEnd(user, run.id);
    expect(await serverCalls("lookup")).toBe(before);
    const calls = (await recordOf(user, run.id)).results[0]?.toolCalls ?? [];
    expect(calls.map((call) => [call.status, call.isError])).toEqual([
      ["failed", true],
      ["failed", true],
      ["failed", true],
    ]);
    const [, second] = await upstreamRequests(run.model);
    const results = second?.body.messages.filter((message) => message.role === "tool") ?? [];
    expect(results.map((message) => String((message as { content: unknown }).content))).toEqual([
      expect.stringContaining("do not match its input schema"),
      expect.stringContaining("not valid JSON"),
      expect.stringContaining("There is no tool named tools__nope"),
    ]);
  });

  it("fails max_steps when the last allowed turn still asks for tools, keeping its text", async () => {
    const user = newUser();
    const call = (id: string) =>
      toolCallsOf([{ id, name: fn("lookup"), arguments: '{"topic":"lava"}' }], { text: `${id} ` });
    const run = await startAgent(user, [call("a"), call("b")], { maxSteps: 2 });
    const events = await eventsUntilEnd(user, run.id);
    expect(events.at(-1)?.type).toBe("execution.failed");
    const record = await recordOf(user, run.id);
    expect(record.results[0]).toMatchObject({ status: "failed", output: "a b ", error: { code: "max_steps" } });
    expect(record.results[0]?.toolCalls).toHaveLength(1);
  });
});
