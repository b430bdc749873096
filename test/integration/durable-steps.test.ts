// Each prompt is a durable step with attempts: a transient failure after the first token starts a
// new attempt (prompt.restarted), and a run whose Durable Object restarts continues where it was:
// completed prompts are never sent to the model again, the one cut mid-answer starts again.
import { abortAllDurableObjects, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import type { EventSourceMessage } from "eventsource-parser";
import { describe, expect, it } from "vitest";
import type { ExecutionSession } from "../../src/durable/execution-session";
import type { StoredEvent } from "../../src/events/types";
import { api } from "../helpers/api";
import { newUser } from "../helpers/auth";
import { createToolFor, followEvents, getRecord, startExecution } from "../helpers/executions";
import { advanceClock, sessionStub, stateOf } from "../helpers/session";
import { readSse, tapSse, toEvents } from "../helpers/sse";
import type { TestToolBody } from "../helpers/tools";
import { scriptModel, streamOf, upstreamRequests, waitFor } from "../helpers/upstream";

/** A prompt's output as a client folds it: its deltas after its last prompt.started or prompt.restarted. */
function clientOutputs(events: readonly StoredEvent[]): Map<string, string> {
  const outputs = new Map<string, string>();
  for (const item of events) {
    if (item.type === "prompt.started" || item.type === "prompt.restarted") outputs.set(item.data.promptId, "");
    if (item.type === "prompt.delta")
      outputs.set(item.data.promptId, (outputs.get(item.data.promptId) ?? "") + item.data.delta);
  }
  return outputs;
}

const chain = (...models: string[]): TestToolBody => ({
  name: "Chain",
  inputFields: [{ name: "topic", label: "Topic", type: "text", required: true }],
  prompts: models.map((model, i) => ({
    name: `p${i + 1}`,
    position: i,
    model,
    content: i === 0 ? "Start {{topic}}" : `Continue {{p${i}}}`,
  })),
});

async function run(body: TestToolBody) {
  const user = newUser();
  const tool = await createToolFor(user, body);
  const execution = await startExecution(user, tool.id, { topic: "steps" });
  return { user, tool, execution };
}

/** The record's outputs, by prompt id. */
async function storedOutputs(user: string, executionId: string): Promise<Map<string, string>> {
  const record = await getRecord(user, executionId);
  return new Map(record.results.map((result) => [result.promptId, result.output]));
}

/** Follows the events, one connection after another, until the terminal event (as a browser would across a restart). */
async function followAcrossDrops(user: string, executionId: string, seen: StoredEvent[] = []): Promise<StoredEvent[]> {
  for (let connections = 0; connections < 20; connections++) {
    const last = seen.at(-1);
    if (last?.type.startsWith("execution.") && last.type !== "execution.started") return seen;
    seen.push(...(await followEvents(user, executionId, last?.id ?? 0)));
  }
  throw new Error("the stream never ended");
}

describe("attempts after a transient failure mid-answer", () => {
  it("restarts the prompt after a mid-stream 500: prompt.restarted, then the second attempt's output only", async () => {
    const model = await scriptModel(
      { kind: "stream", chunks: ["wrong ", "start ", "never sent"], errorAfter: 2, errorStatus: 500 },
      streamOf("right answer", 3),
    );
    const { user, execution, tool } = await run(chain(model));
    const events = await followEvents(user, execution.id);
    const restarted = events.filter((item) => item.type === "prompt.restarted");
    expect(restarted.map((item) => item.data)).toEqual([
      {
        promptId: tool.prompts[0]!.id,
        attempt: 2,
        reason: { code: "model_unavailable", message: expect.stringContaining("500") },
      },
    ]);
    expect(clientOutputs(events).get(tool.prompts[0]!.id)).toBe("right answer");
    const record = await getRecord(user, execution.id);
    expect(record.status).toBe("completed");
    expect(record.results[0]).toMatchObject({ status: "completed", output: "right answer", attempts: 2 });
    expect(await upstreamRequests(model)).toHaveLength(2);
  });

  it("restarts after a mid-stream 429 too, and sums the usage of every attempt that reported it", async () => {
    const model = await scriptModel(
      { kind: "stream", chunks: ["a", "never sent"], endAfter: 1 },
      { kind: "stream", chunks: ["ok"], usage: { prompt_tokens: 7, completion_tokens: 1 } },
    );
    const flaky = await scriptModel(
      { kind: "stream", chunks: ["x ", "y"], errorAfter: 1, errorStatus: 429 },
      streamOf("fine"),
    );
    const { user, execution } = await run(chain(model, flaky));
    await followEvents(user, execution.id);
    const record = await getRecord(user, execution.id);
    expect(record.results.map((result) => [result.status, result.attempts])).toEqual([
      ["completed", 2],
      ["completed", 2],
    ]);
    // The cut attempt reported no usage; the provider billed the second one.
    expect(record.results[0]?.usage).toEqual({ inputTokens: 7, outputTokens: 1 });
  });

  it("fails the prompt once its attempts are used up (PROMPT_MAX_ATTEMPTS = 3)", async () => {
    const model = await scriptModel({ kind: "stream", chunks: ["again ", "and "], errorAfter: 1, errorStatus: 503 });
    const { user, execution } = await run(chain(model, await scriptModel(streamOf("never"))));
    const events = await followEvents(user, execution.id);
    expect(events.filter((item) => item.type === "prompt.restarted")).toHaveLength(2);
    expect(await upstreamRequests(model)).toHaveLength(3);
    const record = await getRecord(user, execution.id);
    expect(record.status).toBe("failed");
    expect(record.results.map((result) => [result.status, result.output, result.attempts])).toEqual([
      ["failed", "again ", 3],
      ["skipped", "", 0],
    ]);
  });

  it("does not restart after a 4xx refusal, before or during the answer", async () => {
    const before = await scriptModel({ kind: "error", status: 400, message: "context too long" });
    const during = await scriptModel({ kind: "stream", chunks: ["a ", "b"], errorAfter: 1, errorStatus: 400 });
    for (const model of [before, during]) {
      const { user, execution } = await run(chain(model));
      const events = await followEvents(user, execution.id);
      expect(events.some((item) => item.type === "prompt.restarted")).toBe(false);
      expect(await upstreamRequests(model)).toHaveLength(1);
      expect((await getRecord(user, execution.id)).results[0]).toMatchObject({
        status: "failed",
        error: { code: "model_error" },
        attempts: 1,
      });
    }
  });
});

describe("a run whose Durable Object restarts mid-run", () => {
  /** A three-prompt chain whose second prompt hangs on its first attempt and answers on its second. */
  async function crashDuringSecondPrompt() {
    const first = await scriptModel(streamOf("first done", 4));
    const second = await scriptModel(
      { kind: "stream", chunks: ["cut ", "off ", "here"], hangAfter: 2 },
      streamOf("second again", 4),
    );
    const third = await scriptModel(streamOf("third done", 4));
    const { user, tool, execution } = await run(chain(first, second, third));
    const seen: EventSourceMessage[] = [];
    const read = await readSse(await api(`/api/executions/${execution.id}/events`, { user }), (messages) => {
      seen.splice(0, seen.length, ...messages);
      return clientOutputs(toEvents(messages)).get(tool.prompts[1]!.id) === "cut off ";
    });
    expect(read.ended).toBe(false);
    await abortAllDurableObjects();
    return { user, tool, execution, first, second, third, seen: toEvents(seen) };
  }

  it("continues when the next request comes: completed prompts are not asked again, the cut one restarts", async () => {
    const { user, tool, execution, first, second, third, seen } = await crashDuringSecondPrompt();
    const events = await followAcrossDrops(user, execution.id, [...seen]);
    expect(events.at(-1)?.type).toBe("execution.completed");
    const restart = events.find((item) => item.type === "prompt.restarted");
    expect(restart?.data).toEqual({
      promptId: tool.prompts[1]!.id,
      attempt: 2,
      reason: { code: "interrupted", message: expect.any(String) },
    });
    // Ids after the restart are above anything the client saw.
    expect(restart?.id).toBeGreaterThan(Math.max(...seen.map((item) => item.id)));
    expect(await upstreamRequests(first)).toHaveLength(1);
    expect(await upstreamRequests(second)).toHaveLength(2);
    expect(await upstreamRequests(third)).toHaveLength(1);
    // What the client holds is exactly what is stored.
    expect(clientOutputs(events)).toEqual(await storedOutputs(user, execution.id));
    const record = await getRecord(user, execution.id);
    expect(record.results.map((result) => [result.output, result.attempts])).toEqual([
      ["first done", 1],
      ["second again", 2],
      ["third done", 1],
    ]);
    expect((await upstreamRequests(third))[0]?.body.messages.at(-1)?.content).toBe("Continue second again");
  });

  it("continues from its alarm when nobody asks, and a status read finds it too", async () => {
    const { user, execution } = await crashDuringSecondPrompt();
    expect(await runDurableObjectAlarm(sessionStub(execution.id))).toBe(true);
    await waitFor(
      async () => (await getRecord(user, execution.id)).status === "completed",
      10_000,
      "the run to complete",
    );

    const again = await crashDuringSecondPrompt();
    // A plain read of the record wakes the run.
    await waitFor(
      async () => (await getRecord(again.user, again.execution.id)).status === "completed",
      10_000,
      "completed",
    );
  });

  it("restarts parallel prompts that were cut, keeping the one of their group that had completed", async () => {
    const done = await scriptModel(streamOf("quick", 5));
    const cut = await scriptModel(
      { kind: "stream", chunks: ["slow ", "part"], hangAfter: 1 },
      streamOf("slow again", 5),
    );
    const user = newUser();
    const tool = await createToolFor(user, {
      name: "Parallel",
      inputFields: [],
      prompts: [
        { name: "a", position: 0, model: done, content: "A" },
        { name: "b", position: 0, model: cut, content: "B" },
        { name: "c", position: 1, model: await scriptModel(streamOf("joined")), content: "{{a}} + {{b}}" },
      ],
    });
    const execution = await startExecution(user, tool.id, {});
    await readSse(await api(`/api/executions/${execution.id}/events`, { user }), (messages) => {
      const events = toEvents(messages);
      return (
        events.some((item) => item.type === "prompt.completed") &&
        clientOutputs(events).get(tool.prompts[1]!.id) === "slow "
      );
    });
    await abortAllDurableObjects();
    const events = await followAcrossDrops(user, execution.id);
    expect(events.at(-1)?.type).toBe("execution.completed");
    expect(await upstreamRequests(done)).toHaveLength(1);
    expect(await upstreamRequests(cut)).toHaveLength(2);
    const record = await getRecord(user, execution.id);
    expect(record.results.map((result) => result.output)).toEqual(["quick", "slow again", "joined"]);
    expect(clientOutputs(events)).toEqual(await storedOutputs(user, execution.id));
  });

  it("ends timed_out when it is found after the time cap, instead of continuing", async () => {
    const { user, execution, second } = await crashDuringSecondPrompt();
    await runInDurableObject(sessionStub(execution.id), (instance: ExecutionSession) =>
      advanceClock(instance, stateOf(instance).limitMs),
    );
    const events = await followAcrossDrops(user, execution.id);
    expect(events.at(-1)).toMatchObject({ type: "execution.timed_out" });
    expect(await upstreamRequests(second)).toHaveLength(1);
    const record = await getRecord(user, execution.id);
    expect(record.status).toBe("timed_out");
    expect(record.results.map((result) => result.status)).toEqual(["completed", "failed", "skipped"]);
  });

  it("fails as interrupted when the object keeps dying and the cut prompt has no attempts left", async () => {
    const hang = await scriptModel({ kind: "stream", chunks: ["never ", "ends"], hangAfter: 1 });
    const { user, execution } = await run(chain(hang));
    for (let attempt = 1; attempt <= 3; attempt++) {
      await waitFor(
        async () =>
          (await upstreamRequests(hang)).length === attempt &&
          (await upstreamRequests(hang))[attempt - 1]?.chunksSent === 1,
        5_000,
        `attempt ${attempt}`,
      );
      await abortAllDurableObjects();
      await sessionStub(execution.id).wake();
    }
    const record = await getRecord(user, execution.id);
    expect(record.status).toBe("failed");
    expect(record.error?.code).toBe("interrupted");
    expect(record.results[0]).toMatchObject({ status: "failed", attempts: 3, error: { code: "interrupted" } });
    expect(await upstreamRequests(hang)).toHaveLength(3);
  });

  it("the original endpoint follows across the restart: a fresh prompt_start for the cut prompt", async () => {
    const { user, tool, execution } = await crashDuringSecondPrompt();
    const response = await api("/api/assistant-architect/stream", {
      user,
      body: { toolId: tool.id, executionId: execution.id },
    });
    const frames = (await tapSse(response).ended).messages.map(
      (message) => JSON.parse(message.data) as { type: string; promptIndex?: number },
    );
    const starts = frames.filter((frame) => frame.type === "prompt_start" && frame.promptIndex === 1);
    expect(starts).toHaveLength(2);
    expect(frames.at(-1)).toEqual({ type: "complete", executionId: execution.id });
  });
});
