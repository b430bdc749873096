// The typed client's fold of an agent step's tool events (SPEC §12): each prompt's tool calls in call
// order, `waiting` for the call, its prompt and the execution while a decision is due, and back to
// `running` once none is; replay from the start or from any id reaches the same state; a run that ends
// while a call waits or runs settles it (waiting → denied, running → interrupted).
import { describe, expect, it } from "vitest";
import { type ExecutionState, foldEvent } from "../../src/client/fold";
import type { ExecutionEvent, ExecutionEventMap, ExecutionEventType, StoredEvent } from "../../src/events/types";

/** Events numbered from 1, in the order given. */
function log(...events: ExecutionEvent[]): StoredEvent[] {
  return events.map((event, index) => ({ ...event, id: index + 1 }) as StoredEvent);
}

const e = <K extends ExecutionEventType>(type: K, data: ExecutionEventMap[K]) => ({ type, data }) as ExecutionEvent;

const fold = (events: readonly StoredEvent[], from: ExecutionState | null = null) =>
  events.reduce<ExecutionState | null>(foldEvent, from);

const announcement = { message: "Trip on Friday", title: "Trip" };

/** An agent step `agent` (then an ordinary prompt `after`) whose model asked for one call needing approval. */
const opening = [
  e("execution.started", {
    executionId: "x",
    toolId: "t",
    toolName: "Announcer",
    prompts: [
      { id: "agent", name: "agent", position: 0 },
      { id: "after", name: "after", position: 1 },
    ],
  }),
  e("prompt.started", { promptId: "agent", name: "agent", position: 0, model: "demo" }),
  e("prompt.delta", { promptId: "agent", delta: "Let me post it. " }),
  e("tool.called", {
    promptId: "agent",
    callId: "c1",
    name: "classroom.post_announcement",
    arguments: announcement,
  }),
  e("tool.approval_requested", {
    promptId: "agent",
    callId: "c1",
    name: "classroom.post_announcement",
    arguments: announcement,
  }),
];

/** Deep-freezes a value, so a fold that changed its input would throw. */
function frozen<T>(value: T): T {
  if (value && typeof value === "object") {
    for (const inner of Object.values(value)) frozen(inner);
    Object.freeze(value);
  }
  return value;
}

describe("foldEvent with tool calls", () => {
  it("an approval: waiting for the call, its prompt and the run, then running, then the result", () => {
    const waiting = fold(log(...opening));
    expect(waiting?.status).toBe("waiting");
    expect(waiting?.prompts.map((prompt) => prompt.status)).toEqual(["waiting", "pending"]);
    expect(waiting?.prompts[0]?.toolCalls).toEqual([
      { callId: "c1", name: "classroom.post_announcement", arguments: announcement, status: "waiting" },
    ]);
    expect(waiting?.prompts[1]?.toolCalls).toEqual([]);

    const events = log(
      ...opening,
      e("tool.decided", { promptId: "agent", callId: "c1", decision: "approve", by: "teacher-1" }),
      e("tool.completed", { promptId: "agent", callId: "c1", isError: false, output: "Posted.", durationMs: 42 }),
      e("prompt.delta", { promptId: "agent", delta: "Done." }),
    );
    const approved = fold(events.slice(0, 6));
    expect(approved?.status).toBe("running");
    expect(approved?.prompts[0]).toMatchObject({ status: "running" });
    expect(approved?.prompts[0]?.toolCalls[0]).toMatchObject({
      status: "running",
      decision: "approve",
      decidedBy: "teacher-1",
    });
    expect(approved?.prompts[0]?.toolCalls[0]).not.toHaveProperty("reason");

    const answered = fold(events);
    expect(answered?.status).toBe("running");
    expect(answered?.prompts[0]).toMatchObject({ status: "running", output: "Let me post it. Done." });
    expect(answered?.prompts[0]?.toolCalls).toEqual([
      {
        callId: "c1",
        name: "classroom.post_announcement",
        arguments: announcement,
        status: "completed",
        decision: "approve",
        decidedBy: "teacher-1",
        isError: false,
        output: "Posted.",
        durationMs: 42,
      },
    ]);
  });

  it("a denial: the call ends denied with its reason and no result, and the run goes on", () => {
    const state = fold(
      log(
        ...opening,
        e("tool.decided", {
          promptId: "agent",
          callId: "c1",
          decision: "deny",
          reason: "Not this week",
          by: "teacher-1",
        }),
        e("prompt.delta", { promptId: "agent", delta: "I did not post it." }),
        e("prompt.completed", {
          promptId: "agent",
          output: "Let me post it. I did not post it.",
          durationMs: 9,
          usage: null,
          costMicros: null,
        }),
      ),
    );
    expect(state?.status).toBe("running");
    expect(state?.prompts[0]?.status).toBe("completed");
    expect(state?.prompts[0]?.toolCalls).toEqual([
      {
        callId: "c1",
        name: "classroom.post_announcement",
        arguments: announcement,
        status: "denied",
        decision: "deny",
        decidedBy: "teacher-1",
        reason: "Not this week",
      },
    ]);
  });

  it("two calls in one turn: in call order, waiting until the last waiting one is decided; a failed one by isError", () => {
    const events = log(
      ...opening.slice(0, 3),
      e("tool.called", { promptId: "agent", callId: "c1", name: "lesson.find_standard", arguments: { topic: "x" } }),
      e("tool.called", { promptId: "agent", callId: "c2", name: "classroom.post_announcement", arguments: {} }),
      e("tool.called", { promptId: "agent", callId: "c3", name: "classroom.post_announcement", arguments: "{bad" }),
      e("tool.approval_requested", {
        promptId: "agent",
        callId: "c2",
        name: "classroom.post_announcement",
        arguments: {},
      }),
      e("tool.completed", { promptId: "agent", callId: "c3", isError: true, output: "Not JSON", durationMs: 0 }),
      e("tool.completed", { promptId: "agent", callId: "c1", isError: false, output: "DEMO.1", durationMs: 5 }),
    );
    const first = fold(events);
    expect(first?.status).toBe("waiting");
    expect(first?.prompts[0]?.toolCalls.map((call) => [call.callId, call.status])).toEqual([
      ["c1", "completed"],
      ["c2", "waiting"],
      ["c3", "failed"],
    ]);
    expect(first?.prompts[0]?.toolCalls[2]).toMatchObject({ isError: true, output: "Not JSON", durationMs: 0 });

    // A second call asks in the same turn: one decision is not enough.
    const both = fold(
      log(
        e("tool.called", { promptId: "agent", callId: "c4", name: "classroom.post_announcement", arguments: {} }),
        e("tool.approval_requested", {
          promptId: "agent",
          callId: "c4",
          name: "classroom.post_announcement",
          arguments: {},
        }),
        e("tool.decided", { promptId: "agent", callId: "c2", decision: "approve", by: "u" }),
      ).map((event, index) => ({ ...event, id: 100 + index })),
      first,
    );
    expect(both?.status).toBe("waiting");
    expect(both?.prompts[0]?.status).toBe("waiting");
    expect(both?.prompts[0]?.toolCalls.map((call) => call.status)).toEqual([
      "completed",
      "running",
      "failed",
      "waiting",
    ]);
    const none = foldEvent(both, {
      id: 200,
      type: "tool.decided",
      data: { promptId: "agent", callId: "c4", decision: "deny", by: "u" },
    });
    expect(none).toMatchObject({ status: "running", lastEventId: 200 });
    expect(none?.prompts[0]?.status).toBe("running");
  });

  it("replay from the start, or a resume from any id, reaches the state the live fold had; no input is changed", () => {
    const events = frozen(
      log(
        ...opening,
        e("tool.decided", { promptId: "agent", callId: "c1", decision: "approve", by: "u" }),
        e("tool.completed", { promptId: "agent", callId: "c1", isError: false, output: "Posted.", durationMs: 3 }),
        e("prompt.completed", { promptId: "agent", output: "Done.", durationMs: 9, usage: null, costMicros: null }),
        e("prompt.started", { promptId: "after", name: "after", position: 1, model: "demo" }),
        e("prompt.completed", { promptId: "after", output: "Ok.", durationMs: 1, usage: null, costMicros: null }),
        e("execution.completed", { durationMs: 20, usage: { inputTokens: 1, outputTokens: 1 }, costMicros: 0 }),
      ),
    );
    // Live: one event at a time, each intermediate state frozen as a page would keep it.
    let live: ExecutionState | null = null;
    for (const event of events) live = frozen(foldEvent(live, event));
    expect(fold(events)).toEqual(live);
    for (let cut = 1; cut < events.length; cut++) {
      const before = frozen(fold(events.slice(0, cut)));
      expect(fold(events.slice(cut), before)).toEqual(live);
    }
    // A page opened while the run waited (another tab, a reload) replays to the approval.
    const reloaded = fold(events.slice(0, opening.length));
    expect(reloaded?.status).toBe("waiting");
    expect(reloaded?.prompts[0]?.toolCalls[0]?.status).toBe("waiting");
  });

  it("lists a call from its approval request alone, and ignores decisions and results for calls it never saw", () => {
    const state = fold(
      log(
        ...opening.slice(0, 2),
        e("tool.approval_requested", {
          promptId: "agent",
          callId: "c9",
          name: "classroom.post_announcement",
          arguments: "1",
        }),
        e("tool.decided", { promptId: "agent", callId: "zz", decision: "approve", by: "u" }),
        e("tool.completed", { promptId: "agent", callId: "zz", isError: false, output: "?", durationMs: 1 }),
      ),
    );
    expect(state?.status).toBe("waiting");
    expect(state?.prompts[0]?.toolCalls).toEqual([
      { callId: "c9", name: "classroom.post_announcement", arguments: "1", status: "waiting" },
    ]);
  });

  it("a run that ends while a call waits: the call ends denied (never run, nobody decided), its prompt canceled", () => {
    const canceled = fold(log(...opening, e("execution.canceled", {})));
    expect(canceled?.status).toBe("canceled");
    expect(canceled?.prompts.map((prompt) => prompt.status)).toEqual(["canceled", "skipped"]);
    expect(canceled?.prompts[0]?.toolCalls).toEqual([
      { callId: "c1", name: "classroom.post_announcement", arguments: announcement, status: "denied" },
    ]);
    const timedOut = fold(log(...opening, e("execution.timed_out", { limitMs: 1000 })));
    expect(timedOut?.prompts[0]).toMatchObject({ status: "failed", toolCalls: [{ status: "denied" }] });
  });

  it("a run that ends while a call runs: the call ends interrupted (it may or may not have taken effect)", () => {
    const state = fold(
      log(
        ...opening,
        e("tool.decided", { promptId: "agent", callId: "c1", decision: "approve", by: "u" }),
        e("execution.failed", { error: { code: "internal", message: "boom" } }),
      ),
    );
    expect(state?.status).toBe("failed");
    expect(state?.prompts[0]?.status).toBe("failed");
    expect(state?.prompts[0]?.toolCalls[0]).toMatchObject({ status: "interrupted", decision: "approve" });
  });

  it("a prompt that fails while its call waits (onPromptError continue): the call is denied and the run runs on", () => {
    const state = fold(
      log(...opening, e("prompt.failed", { promptId: "agent", error: { code: "max_steps", message: "too many" } })),
    );
    expect(state?.status).toBe("running");
    expect(state?.prompts[0]).toMatchObject({ status: "failed", toolCalls: [{ status: "denied" }] });
  });
});
