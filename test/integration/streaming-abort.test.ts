import { describe, expect, it } from "vitest";
import { api, apiJson, type ErrorJson } from "../helpers/api";
import { newUser } from "../helpers/auth";
import { createToolFor, followEvents, getRecord, startExecution, waitForOutput } from "../helpers/executions";
import { session } from "../helpers/session-status";
import { readSse, toEvents } from "../helpers/sse";
import { lessonPlanner } from "../helpers/tools";
import { scriptModel, streamOf, upstreamRequests, waitFor } from "../helpers/upstream";

describe("cancel", () => {
  it("stops the upstream call within a second, keeps the partial output and skips the rest", async () => {
    const user = newUser();
    const model = await scriptModel({ kind: "stream", chunks: ["Part ", "one ", "then ", "nothing"], hangAfter: 2 });
    const tool = await createToolFor(user, lessonPlanner(model));
    const execution = await startExecution(user, tool.id, { topic: "cancel" });
    // Cancel once the client has seen both chunks: what the object received is what it keeps.
    const seen = await waitForOutput(user, execution.id, "Part one ");
    const response = await api(`/api/executions/${execution.id}/events`, {
      user,
      headers: { "Last-Event-ID": String(seen) },
    });
    const read = readSse(response);

    const canceledAt = Date.now();
    const { status, body } = await apiJson<{ status: string }>(`/api/executions/${execution.id}/cancel`, {
      user,
      method: "POST",
    });
    expect(status).toBe(200);
    expect(body.status).toBe("canceled");
    const closedAt = await waitFor(
      async () => (await upstreamRequests(model))[0]?.clientClosedAt,
      2_000,
      "upstream connection closed",
    );
    expect(closedAt - canceledAt).toBeLessThan(1_000);

    const events = toEvents((await read).messages);
    expect(events.at(-1)?.type).toBe("execution.canceled");
    const record = await getRecord(user, execution.id);
    expect(record.status).toBe("canceled");
    expect(record.results.map((result) => [result.status, result.output])).toEqual([
      ["canceled", "Part one "],
      ["skipped", ""],
    ]);
  });

  it("cancels a pending execution that never started: canceled, every prompt skipped", async () => {
    const user = newUser();
    const tool = await createToolFor(user, lessonPlanner(await scriptModel(streamOf("never"))));
    const { body } = await apiJson<{ id: string }>("/api/executions", {
      user,
      body: { toolId: tool.id, inputs: { topic: "x" }, start: false },
    });
    const canceled = await apiJson<{ status: string }>(`/api/executions/${body.id}/cancel`, { user, method: "POST" });
    expect(canceled.body.status).toBe("canceled");
    const record = await getRecord(user, body.id);
    expect(record.results.map((result) => result.status)).toEqual(["skipped", "skipped"]);
    expect((await api(`/api/executions/${body.id}/events`, { user })).status).toBe(200);
  });

  it("is idempotent", async () => {
    const user = newUser();
    const model = await scriptModel({ kind: "stream", chunks: ["a"], hangAfter: 0 });
    const tool = await createToolFor(user, lessonPlanner(model));
    const execution = await startExecution(user, tool.id, { topic: "x" });
    const first = await apiJson<{ status: string }>(`/api/executions/${execution.id}/cancel`, { user, method: "POST" });
    const second = await apiJson<{ status: string }>(`/api/executions/${execution.id}/cancel`, {
      user,
      method: "POST",
    });
    expect([first.body.status, second.body.status]).toEqual(["canceled", "canceled"]);
    const events = await followEvents(user, execution.id);
    expect(events.filter((item) => item.type === "execution.canceled")).toHaveLength(1);
  });

  it("does not change a finished execution", async () => {
    const user = newUser();
    const tool = await createToolFor(user, lessonPlanner(await scriptModel(streamOf("done"))));
    const execution = await startExecution(user, tool.id, { topic: "x" });
    await followEvents(user, execution.id);
    const { body } = await apiJson<{ status: string }>(`/api/executions/${execution.id}/cancel`, {
      user,
      method: "POST",
    });
    expect(body.status).toBe("completed");
  });

  it("answers 404 for someone else's execution", async () => {
    const user = newUser();
    const tool = await createToolFor(
      user,
      lessonPlanner(await scriptModel({ kind: "stream", chunks: ["a"], hangAfter: 0 })),
    );
    const execution = await startExecution(user, tool.id, { topic: "x" });
    const { status, body } = await apiJson<ErrorJson>(`/api/executions/${execution.id}/cancel`, {
      user: newUser(),
      method: "POST",
    });
    expect(status).toBe(404);
    expect(body.error.code).toBe("not_found");
    await apiJson(`/api/executions/${execution.id}/cancel`, { user, method: "POST" });
  });
});

describe("client disconnect", () => {
  it("does not stop the execution: it runs to the end, is recorded, and the subscriber is released", async () => {
    const user = newUser();
    const text = "A long answer that keeps streaming after the client has gone away.";
    const model = await scriptModel(streamOf(text, 3, { chunkDelayMs: 10 }));
    const tool = await createToolFor(user, lessonPlanner(model));
    const execution = await startExecution(user, tool.id, { topic: "disconnect" });
    const response = await api(`/api/executions/${execution.id}/events`, { user });
    const read = await readSse(response, (messages) => messages.some((message) => message.event === "prompt.delta"));
    expect(read.ended).toBe(false);

    const record = await waitFor(
      async () => {
        const current = await getRecord(user, execution.id);
        return current.status === "completed" ? current : undefined;
      },
      10_000,
      "execution completed",
    );
    expect(record.results[0]?.output).toBe(text);
    await waitFor(async () => (await session(execution.id)).subscribers === 0, 5_000, "subscriber released");
  });
});
