// Saved assistants as an agent step's tools (SPEC §12, `assistant:<toolId>`): each call runs the
// assistant as a nested execution with its own record (lineage to the parent's call, in the owner's
// history), its final prompt's output is the tool's result, its cost is the parent's too; a parent
// restarted while the child runs waits for the same child; cancel of the parent cancels the child; a
// child that fails is an error result to the model.
import { abortAllDurableObjects } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { eventsUntilEnd, recordOf, startAgent } from "../helpers/agent";
import { apiJson } from "../helpers/api";
import { newUser } from "../helpers/auth";
import { createToolFor } from "../helpers/executions";
import type { TestToolBody } from "../helpers/tools";
import { scriptModel, streamOf, toolCallsOf, upstreamRequests, waitFor } from "../helpers/upstream";

const FUNCTION = "assistant__Summariser";

/** A two-step assistant: an outline (scripted as `first`), then a final prompt on `final`. */
const summariser = (first: string, final: string): TestToolBody => ({
  name: "Summariser",
  description: "Summarises a topic",
  inputFields: [{ name: "topic", label: "Topic", type: "text", required: true }],
  prompts: [
    { name: "outline", position: 0, model: first, content: "Outline {{topic}}." },
    { name: "summary", position: 1, model: final, content: "Summarise: {{outline}}" },
  ],
});

/** The parent's call of the assistant, and its answer once it has the result. */
const callsAssistant = (topic: string) => [
  toolCallsOf([{ id: "m1", name: FUNCTION, arguments: JSON.stringify({ topic }) }]),
  streamOf("Here is the summary."),
];

interface ExecutionBody {
  id: string;
  status: string;
  toolId: string | null;
  costMicros: number | null;
  parent: { executionId: string; callId: string } | null;
  results: { name: string; output: string }[];
}

const execution = async (user: string, id: string) => {
  const { status, body } = await apiJson<ExecutionBody>(`/api/executions/${id}`, { user });
  return status === 200 ? body : undefined;
};

const childOf = (parentId: string) => `${parentId}~1-1-1`;

/** The model's tool message in its second request. */
const toolMessage = async (model: string) => {
  const [, second] = await upstreamRequests(model);
  return second?.body.messages.find((message) => message.role === "tool")?.content ?? null;
};

const childRunning = (user: string, parentId: string) =>
  waitFor(async () => (await execution(user, childOf(parentId)))?.status === "running", 5_000, "the child to run");

describe("an assistant called by an agent step", () => {
  it("runs as a nested execution: its final output is the tool result, its record has lineage, its cost is the parent's too", async () => {
    const user = newUser();
    const tool = await createToolFor(user, summariser(await scriptModel(streamOf("Three points.")), "priced-echo"));
    const run = await startAgent(user, callsAssistant("volcanoes"), { tools: [`assistant:${tool.id}`] });
    const events = await eventsUntilEnd(user, run.id);
    expect(events.at(-1)?.type).toBe("execution.completed");

    const [first] = await upstreamRequests(run.model);
    const offered = first?.body.tools?.find((item) => item.function.name === FUNCTION);
    expect(offered?.function.parameters).toMatchObject({
      type: "object",
      properties: { topic: { type: "string" } },
      required: ["topic"],
    });
    const childId = childOf(run.id);
    const child = await execution(user, childId);
    expect(child).toMatchObject({
      status: "completed",
      toolId: tool.id,
      parent: { executionId: run.id, callId: "1-1-1" },
    });
    const final = child?.results.at(-1)?.output ?? "";
    expect(final).toBe("echo: Summarise: Three points.");
    expect(await toolMessage(run.model)).toBe(final);

    const call = (await recordOf(user, run.id)).results[0]?.toolCalls?.[0];
    expect(call).toMatchObject({ name: `assistant:${tool.id}`, status: "completed", isError: false, output: final });
    expect((call as { executionId?: string } | undefined)?.executionId).toBe(childId);
    expect(events.find((event) => event.type === "tool.completed")?.data).toMatchObject({ output: final });

    const parent = await execution(user, run.id);
    expect(parent?.parent).toBeNull();
    expect(child?.costMicros).toBeGreaterThan(0);
    expect(parent?.costMicros).toBe(child?.costMicros);
    const listed = await apiJson<{ items?: ExecutionBody[]; executions?: ExecutionBody[] }>(
      `/api/executions?toolId=${tool.id}`,
      { user },
    );
    const items = listed.body.items ?? listed.body.executions ?? [];
    expect(items.map((item) => item.id)).toEqual([childId]);
  });

  it("after a restart while the child runs, waits for the same child and takes its output", async () => {
    const user = newUser();
    const slow = await scriptModel(streamOf("A slow and careful outline.", 3, { chunkDelayMs: 120 }));
    const tool = await createToolFor(user, summariser(slow, await scriptModel(streamOf("Final words."))));
    const run = await startAgent(user, callsAssistant("tides"), { tools: [`assistant:${tool.id}`] });
    await childRunning(user, run.id);
    await abortAllDurableObjects();

    const events = await eventsUntilEnd(user, run.id);
    expect(events.at(-1)?.type).toBe("execution.completed");
    expect(events.filter((event) => event.type === "tool.called")).toHaveLength(1);
    expect(await toolMessage(run.model)).toBe("Final words.");
    expect(await upstreamRequests(run.model)).toHaveLength(2);
    const call = (await recordOf(user, run.id)).results[0]?.toolCalls?.[0];
    expect(call).toMatchObject({ status: "completed", isError: false, output: "Final words." });
    const listed = await apiJson<{ items?: { id: string }[]; executions?: { id: string }[] }>(
      `/api/executions?toolId=${tool.id}`,
      { user },
    );
    expect((listed.body.items ?? listed.body.executions ?? []).map((item) => item.id)).toEqual([childOf(run.id)]);
    expect((await execution(user, childOf(run.id)))?.status).toBe("completed");
  });

  it("cancel of the parent cancels the child", async () => {
    const user = newUser();
    const slow = await scriptModel(streamOf("x".repeat(200), 2, { chunkDelayMs: 100 }));
    const tool = await createToolFor(user, summariser(slow, await scriptModel(streamOf("never"))));
    const run = await startAgent(user, callsAssistant("storms"), { tools: [`assistant:${tool.id}`] });
    await childRunning(user, run.id);
    const canceled = await apiJson<{ status: string }>(`/api/executions/${run.id}/cancel`, { user, method: "POST" });
    expect(canceled.body.status).toBe("canceled");
    await waitFor(
      async () => (await execution(user, childOf(run.id)))?.status === "canceled",
      5_000,
      "the child canceled",
    );
    expect(await upstreamRequests(run.model)).toHaveLength(1);
    const call = (await recordOf(user, run.id)).results[0]?.toolCalls?.[0];
    expect(call).toMatchObject({ isError: true });
    expect(call?.output).toContain("was canceled");
  });

  it("gives the model an error result with the reason when the child fails, and the parent goes on", async () => {
    const user = newUser();
    const failing = await scriptModel({ kind: "error", status: 400, message: "bad request" });
    const tool = await createToolFor(user, summariser(failing, await scriptModel(streamOf("never"))));
    const run = await startAgent(user, callsAssistant("quakes"), { tools: [`assistant:${tool.id}`] });
    const events = await eventsUntilEnd(user, run.id);
    expect(events.at(-1)?.type).toBe("execution.completed");
    expect((await execution(user, childOf(run.id)))?.status).toBe("failed");
    const told = String(await toolMessage(run.model));
    expect(told).toContain('The assistant "Summariser" failed');
    expect(told).toContain(childOf(run.id));
    expect((await recordOf(user, run.id)).results[0]?.toolCalls?.[0]).toMatchObject({
      status: "failed",
      isError: true,
    });
  });

  it("sends inputs that fail the assistant's fields back to the model, and starts no child", async () => {
    const user = newUser();
    const tool = await createToolFor(user, summariser(await scriptModel(streamOf("x")), "priced-echo"));
    const run = await startAgent(
      user,
      [toolCallsOf([{ id: "m1", name: FUNCTION, arguments: "{}" }]), streamOf("I need a topic.")],
      { tools: [`assistant:${tool.id}`] },
    );
    const events = await eventsUntilEnd(user, run.id);
    expect(events.at(-1)?.type).toBe("execution.completed");
    expect(await execution(user, childOf(run.id))).toBeUndefined();
    expect((await recordOf(user, run.id)).results[0]?.toolCalls?.[0]).toMatchObject({ status: "failed" });
  });
});
