// The run's decisions as a table: a state and what happened → the next state and the effects. Every
// transition, a restart (`resume`) and a cancel at each boundary, and the wake-up function's choice.
import { describe, expect, it } from "vitest";
import { INTERRUPTED_REASON } from "../../src/engine/attempts";
import { EVENT_LOG_RETENTION_MS, HEARTBEAT_MS, nextWake } from "../../src/engine/next-wake";
import type { ExecutionPlan } from "../../src/engine/plan";
import type { AttemptOutcome, Decision, RunEffect, RunInput } from "../../src/engine/run-io";
import { createPending, decide, startRun } from "../../src/engine/run-machine";
import type { RunState } from "../../src/engine/run-state";
import type { CallGrant } from "../../src/engine/spending";

const plan: ExecutionPlan = {
  executionId: "e",
  ownerId: "u",
  toolId: "t",
  toolName: "T",
  onPromptError: "stop",
  prompts: [
    {
      id: "a",
      name: "a",
      position: 0,
      ordinal: 1,
      model: "m",
      systemContext: null,
      content: "A",
      temperature: null,
      maxTokens: null,
    },
    {
      id: "b",
      name: "b",
      position: 0,
      ordinal: 2,
      model: "m",
      systemContext: null,
      content: "B",
      temperature: null,
      maxTokens: null,
    },
    {
      id: "c",
      name: "c",
      position: 1,
      ordinal: 3,
      model: "m",
      systemContext: null,
      content: "{{a}}",
      temperature: null,
      maxTokens: null,
    },
  ],
  values: {},
  sourceExecutionId: null,
  fromPromptId: null,
  reusable: {},
  budgetMicros: null,
};
const LIMITS = { limitMs: 60_000, maxAttempts: 3, approvalTimeoutMs: 86_400_000 };
const GRANT: CallGrant = { granted: true, reservedMicros: 40, outputTokens: 10, boundBy: null };
const spent = { costMicros: 1.5, estimatedCostMicros: 1.2, overshootMicros: 0 };
const outcome = (kind: "completed" | "stopped", output = "out"): AttemptOutcome => ({
  kind,
  output,
  usage: { inputTokens: 1, outputTokens: 2 },
  spent,
});
const failed = (retryable: boolean): AttemptOutcome => ({
  kind: "failed",
  output: "part",
  usage: null,
  spent,
  error: { code: "model_unavailable", message: "Model answered 503" },
  retryable,
  retryAfterMs: null,
});

type Input = Exclude<RunInput, { type: "start" }>;
/** Applies inputs in order, as the object does, each at its time. */
function run(inputs: [Input, number?][], from: Decision = startRun(plan, LIMITS, 0)): Decision {
  return inputs.reduce<Decision>(
    (decision, [input, at = 1]) => decide(decision.state, input, at) ?? { state: decision.state, effects: [] },
    from,
  );
}
const kinds = (decision: Decision) => decision.effects.map(kindOf);
function kindOf(effect: RunEffect): string {
  if (effect.type === "emit") return `emit ${effect.event.type}`;
  if (effect.type === "record") return `record ${effect.write.kind}`;
  if (effect.type === "account") return `account ${effect.action}`;
  if (effect.type === "prepare")
    return `prepare ${effect.calls.map((call) => `${call.promptId}#${call.attempt}`).join(",")}`;
  if (effect.type === "call" || effect.type === "release") return `${effect.type} ${effect.promptId}#${effect.attempt}`;
  if (effect.type === "reuse") return `reuse ${effect.promptId}`;
  if (effect.type === "abort") return `abort ${effect.reason.code}`;
  return effect.type;
}
const statuses = (state: RunState) =>
  Object.values(state.prompts).map((prompt) => `${prompt.status}/${prompt.work ?? "-"}`);
const prepared = (...ids: string[]): Input => ({
  type: "prepared",
  calls: ids.map((id) => ({ promptId: id, attempt: 1, requestHash: `h-${id}`, reuse: false, grant: GRANT })),
});
const ended = (promptId: string, result: AttemptOutcome, attempt = 1): Input => ({
  type: "attemptEnded",
  promptId,
  attempt,
  outcome: result,
});
/** The first group prepared and called: a and b streaming. */
const calling = () => run([[prepared("a", "b")]]);

describe("decide: a run's course", () => {
  it.each<[string, () => Decision, string[], string[]]>([
    [
      "start: execution.started, the first group prepared together, its start recorded",
      () => startRun(plan, LIMITS, 0),
      ["record index", "emit execution.started", "prepare a#1,b#1"],
      ["running/preparing", "running/preparing", "pending/-"],
    ],
    [
      "prepared: each call begins (prompt.started) and is made with its grant",
      calling,
      ["emit prompt.started", "call a#1", "emit prompt.started", "call b#1"],
      ["running/calling", "running/calling", "pending/-"],
    ],
    [
      "one of a group completes: the group waits for the other",
      () => run([[ended("a", outcome("completed"))]], calling()),
      ["emit prompt.completed"],
      ["completed/-", "running/calling", "pending/-"],
    ],
    [
      "the group completes: the next group is prepared",
      () => run([[ended("a", outcome("completed"))], [ended("b", outcome("completed"))]], calling()),
      ["emit prompt.completed", "prepare c#1"],
      ["completed/-", "completed/-", "running/preparing"],
    ],
    [
      "a transient failure after the first token: another attempt after a backoff",
      () => run([[ended("a", failed(true))]], calling()),
      ["prepare a#2"],
      ["running/preparing", "running/calling", "pending/-"],
    ],
    [
      "the next attempt begins as prompt.restarted with the failure as its reason",
      () =>
        run(
          [
            [ended("a", failed(true))],
            [
              {
                type: "prepared",
                calls: [{ promptId: "a", attempt: 2, requestHash: "h", reuse: false, grant: GRANT }],
              },
            ],
          ],
          calling(),
        ),
      ["emit prompt.restarted", "call a#2"],
      ["running/calling", "running/calling", "pending/-"],
    ],
    [
      "a failure that is not transient fails the prompt; the group still ends before the chain stops",
      () => run([[ended("a", failed(false))]], calling()),
      ["emit prompt.failed"],
      ["failed/-", "running/calling", "pending/-"],
    ],
    [
      "…and then the run fails prompt_failed, the rest skipped, the end recorded before the terminal event",
      () => run([[ended("a", failed(false))], [ended("b", outcome("completed"))]], calling()),
      ["emit prompt.completed", "record final"],
      ["failed/-", "completed/-", "skipped/-"],
    ],
    [
      "the final write answered: the terminal event, then the run lets go",
      () =>
        run(
          [
            [ended("a", outcome("completed"))],
            [ended("b", outcome("completed"))],
            [prepared("c")],
            [ended("c", outcome("completed"))],
            [{ type: "recorded", write: "final", ok: true }],
          ],
          calling(),
        ),
      ["emit execution.completed", "ended", "account ended"],
      ["completed/-", "completed/-", "completed/-"],
    ],
    [
      "a call refused its budget share is not made: the prompt fails, the run stops",
      () =>
        run([
          [
            {
              type: "prepared",
              calls: [
                {
                  promptId: "a",
                  attempt: 1,
                  requestHash: "h",
                  reuse: false,
                  grant: { granted: false, refusal: "daily" },
                },
                { promptId: "b", attempt: 1, requestHash: "h", reuse: false, grant: GRANT },
              ],
            },
          ],
        ]),
      [
        "emit prompt.started",
        "abort budget_exceeded",
        "emit prompt.failed",
        "release b#1",
        "emit prompt.failed",
        "record final",
      ],
      ["failed/-", "failed/-", "skipped/-"],
    ],
    [
      "spending refused mid-stream stops the whole run; the other call ends stopped",
      () =>
        run(
          [
            [
              {
                ...ended("a", outcome("completed")),
                outcome: { ...outcome("completed"), kind: "refused", refusal: "budget" },
              } as Input,
            ],
            [ended("b", outcome("stopped"))],
          ],
          calling(),
        ),
      ["emit prompt.failed", "record final"],
      ["failed/-", "failed/-", "skipped/-"],
    ],
    [
      "a rerun's prompt whose request is unchanged takes its source's output",
      () =>
        run([
          [{ type: "prepared", calls: [{ promptId: "a", attempt: 1, requestHash: "h", reuse: true, grant: null }] }],
          [{ type: "reused", promptId: "a", output: "old" }],
        ]),
      ["emit prompt.started", "emit prompt.completed"],
      ["completed/-", "running/preparing", "pending/-"],
    ],
    [
      "…and calls its model when the source output is gone",
      () =>
        run([
          [{ type: "prepared", calls: [{ promptId: "a", attempt: 1, requestHash: "h", reuse: true, grant: null }] }],
          [{ type: "reused", promptId: "a", output: null }],
        ]),
      ["prepare a#1"],
      ["running/preparing", "running/preparing", "pending/-"],
    ],
    [
      "a late input (the prompt no longer waits for it) changes nothing",
      () => run([[ended("a", outcome("completed"))], [ended("a", outcome("completed"))]], calling()),
      [],
      ["completed/-", "running/calling", "pending/-"],
    ],
  ])("%s", (_name, decision, effects, prompts) => {
    const result = decision();
    expect(kinds(result)).toEqual(effects);
    expect(statuses(result.state)).toEqual(prompts);
  });

  it("counts a prompt's spending over its attempts in fractions, and records whole micro-dollars at its end", () => {
    const result = run(
      [
        [ended("a", failed(true))],
        [{ type: "prepared", calls: [{ promptId: "a", attempt: 2, requestHash: "h", reuse: false, grant: GRANT }] }],
        [ended("a", outcome("completed"), 2)],
      ],
      calling(),
    );
    expect(result.state.prompts.a).toMatchObject({
      costMicros: 3,
      estimatedCostMicros: 3,
      overshootMicros: 0,
      attempts: 2,
      usage: { inputTokens: 1, outputTokens: 2 },
    });
  });

  it("holds what a call reserves while it runs, so a restart can count it", () => {
    expect(calling().state.prompts.a?.heldMicros).toBe(40);
    expect(run([[ended("a", outcome("completed"))]], calling()).state.prompts.a?.heldMicros).toBe(0);
  });
});

describe("decide: cancel at each boundary", () => {
  it.each<[string, () => Decision, string[]]>([
    [
      "while the group is prepared: waits for the preparation, then ends canceled",
      () => startRun(plan, LIMITS, 0),
      ["abort canceled"],
    ],
    ["while calls stream: aborts them and waits for each to end", calling, ["abort canceled"]],
    [
      "between groups (nothing in flight cannot happen: the next group is prepared at once)",
      () => run([[ended("a", outcome("completed"))], [ended("b", outcome("completed"))]], calling()),
      ["abort canceled"],
    ],
  ])("%s", (_name, before, effects) => {
    const canceled = decide(before().state, { type: "cancel" }, 5);
    expect(canceled && kinds(canceled)).toEqual(effects);
    expect(canceled?.state.stopping?.code).toBe("canceled");
  });

  it("ends canceled once the aborted calls report: quietly (no prompt.failed), the rest skipped", () => {
    const canceled = run(
      [[{ type: "cancel" }], [ended("a", outcome("stopped"))], [ended("b", outcome("stopped"))]],
      calling(),
    );
    expect(kinds(canceled)).toEqual(["record final"]);
    expect(statuses(canceled.state)).toEqual(["canceled/-", "canceled/-", "skipped/-"]);
    expect(canceled.state).toMatchObject({ status: "canceled", terminal: { status: "canceled" } });
  });

  it("ends canceled when the preparation reports: the prepared calls give their shares back", () => {
    const canceled = run([[{ type: "cancel" }], [prepared("a", "b")]]);
    expect(kinds(canceled)).toEqual(["release a#1", "release b#1", "record final"]);
    expect(statuses(canceled.state)).toEqual(["canceled/-", "canceled/-", "skipped/-"]);
  });

  it("is idempotent, and changes nothing once the run has ended", () => {
    const once = run([[{ type: "cancel" }]], calling());
    expect(decide(once.state, { type: "cancel" }, 2)).toBeNull();
    const done = run(
      [
        [ended("a", outcome("stopped"))],
        [ended("b", outcome("stopped"))],
        [{ type: "recorded", write: "final", ok: true }],
      ],
      once,
    );
    expect(done.state.terminalStored).toBe(true);
    expect(decide(done.state, { type: "cancel" }, 3)).toBeNull();
  });
});

describe("decide: a restart (resume) at each boundary", () => {
  const resume = (state: RunState, completions = new Map(), at = 2) =>
    decide(state, { type: "resume", completions }, at);

  it("while the group was prepared: prepares it again from its first attempt", () => {
    const resumed = resume(startRun(plan, LIMITS, 0).state);
    expect(resumed && kinds(resumed)).toEqual(["account renew", "prepare a#1,b#1"]);
  });

  it("while calls streamed: the cut attempts count at what they held, and start again as prompt.restarted (interrupted)", () => {
    const resumed = resume(calling().state);
    expect(resumed && kinds(resumed)).toEqual(["account renew", "prepare a#2,b#2"]);
    expect(resumed?.state.prompts.a).toMatchObject({
      costMicros: 40,
      heldMicros: 0,
      restartReason: INTERRUPTED_REASON,
    });
  });

  it("a completion the log holds but the state missed is completed, never asked again", () => {
    const completions = new Map([["a", { output: "A", usage: null, costMicros: 3, durationMs: 7 }]]);
    const resumed = resume(calling().state, completions);
    expect(resumed && kinds(resumed)).toEqual(["account renew", "prepare b#2"]);
    expect(resumed?.state.prompts.a).toMatchObject({ status: "completed", costMicros: 3, completedAt: 7 });
  });

  it("after a completed group: the next group goes on, and the lease is renewed at once", () => {
    const between = run([[ended("a", outcome("completed"))], [ended("b", outcome("completed"))]], calling());
    const resumed = resume(between.state);
    expect(resumed && kinds(resumed)).toEqual(["account renew", "prepare c#1"]);
  });

  it("a prompt whose attempts restarts used up fails interrupted, and the chain fails interrupted", () => {
    let state = calling().state;
    for (let life = 0; life < 2; life++) {
      const again = resume(state);
      const attempt = (again?.state.prompts.a?.attempts ?? 0) + 1;
      state = run(
        [
          [
            {
              type: "prepared",
              calls: ["a", "b"].map((id) => ({ promptId: id, attempt, requestHash: "h", reuse: false, grant: GRANT })),
            },
          ],
        ],
        again ?? { state, effects: [] },
      ).state;
    }
    const out = resume(state);
    expect(out && kinds(out)).toEqual(["emit prompt.failed", "emit prompt.failed", "account renew", "record final"]);
    expect(out?.state).toMatchObject({ status: "failed", error: { code: "interrupted" } });
  });

  it("a run asked to stop, or past its cap, ends instead of going on", () => {
    const canceled = run([[{ type: "cancel" }]], calling());
    expect(kinds(resume(canceled.state) ?? canceled)).toEqual(["account renew", "record final"]);
    const late = resume(calling().state, new Map(), LIMITS.limitMs + 1);
    expect(late?.state).toMatchObject({ status: "timed_out", error: { code: "timed_out" } });
  });

  it("a run that ended but never sent its terminal event writes its records whole, then sends it", () => {
    const ending = run(
      [[{ type: "cancel" }], [ended("a", outcome("stopped"))], [ended("b", outcome("stopped"))]],
      calling(),
    );
    const resumed = resume(ending.state);
    expect(resumed && kinds(resumed)).toEqual(["record final"]);
  });
});

describe("decide: records, the alarm and the daily budget's ledger", () => {
  const done = () =>
    run([[{ type: "cancel" }], [ended("a", outcome("stopped"))], [ended("b", outcome("stopped"))]], calling());

  it.each<[string, () => Decision | null, string[], Partial<RunState>]>([
    [
      "the start's record failing owes it whole, and never stops the run",
      () => decide(calling().state, { type: "recorded", write: "index", ok: false }, 2),
      [],
      { owesSnapshot: true, stopping: null },
    ],
    [
      "the final write failing still ends the stream, the records owed",
      () => decide(done().state, { type: "recorded", write: "final", ok: false }, 2),
      ["emit execution.canceled", "ended", "account ended"],
      { owesSnapshot: true, terminalStored: true, repairAt: 10_002 },
    ],
    [
      "the alarm past the cap stops the run timed_out",
      () => decide(calling().state, { type: "wake" }, LIMITS.limitMs),
      ["abort timed_out"],
      { stopping: { code: "timed_out", message: "The execution exceeded its 60000 ms limit" } },
    ],
    [
      "the alarm before it is a heartbeat: the lease on the owner's account is renewed",
      () => decide(calling().state, { type: "wake" }, 5),
      ["account renew"],
      {},
    ],
    [
      "the alarm of an ended run that owes its records repairs them",
      () => decide({ ...done().state, owesSnapshot: true, terminalStored: true }, { type: "wake" }, 9),
      ["record final"],
      {},
    ],
    [
      "the alarm after the event log's retention forgets the run",
      () => decide({ ...done().state, terminalStored: true }, { type: "wake" }, EVENT_LOG_RETENTION_MS + 10),
      ["forget"],
      {},
    ],
    [
      "the daily budget's ledger unreachable stops the run: never spend unchecked",
      () => decide(calling().state, { type: "ledgerFailed" }, 2),
      ["abort database_unavailable"],
      {},
    ],
  ])("%s", (_name, decision, effects, state) => {
    const result = decision();
    expect(result ? kinds(result) : []).toEqual(effects);
    if (result) expect(result.state).toMatchObject(state);
  });
});

describe("nextWake: the one time the alarm is armed for", () => {
  const runningAt = (deadline: number): RunState => ({ ...calling().state, deadline });
  const endedRun = (change: Partial<RunState>): RunState => ({
    ...calling().state,
    finishedAt: 100,
    terminalStored: true,
    ...change,
  });
  const pending = createPending(plan, LIMITS, 0, 7).state;
  it.each<[string, RunState | undefined, number, ReturnType<typeof nextWake>]>([
    ["a running run beats every HEARTBEAT_MS", runningAt(1_000_000), 0, { at: HEARTBEAT_MS, reason: "heartbeat" }],
    ["…until its deadline comes first", runningAt(10_000), 0, { at: 10_000, reason: "deadline" }],
    [
      "an ended run owing its record: the repair time",
      endedRun({ owesSnapshot: true, repairAt: 500 }),
      200,
      { at: 500, reason: "repair" },
    ],
    [
      "an ended run: its event log's retention",
      endedRun({}),
      200,
      { at: 100 + EVENT_LOG_RETENTION_MS, reason: "retention" },
    ],
    ["a pending execution: its expiry", pending, 0, { at: 7, reason: "pending expiry" }],
    ["no run: no alarm", undefined, 0, null],
  ])("%s", (_name, run, now, expected) => {
    expect(nextWake(run, now)).toEqual(expected);
  });
});

describe("decide: a pending execution", () => {
  const pending = () => createPending(plan, LIMITS, 0, 600);

  it("is created with its record, nothing running, nothing sent", () => {
    expect(kinds(pending())).toEqual(["record index"]);
    expect(pending().state).toMatchObject({ status: "pending", pendingUntil: 600 });
  });

  it("begins: execution.started, the cap counted from now, the first group prepared", () => {
    const begun = decide(pending().state, { type: "begin" }, 50);
    expect(begun && kinds(begun)).toEqual(["record index", "emit execution.started", "prepare a#1,b#1"]);
    expect(begun?.state).toMatchObject({
      status: "running",
      startedAt: 50,
      deadline: 50 + LIMITS.limitMs,
      pendingUntil: null,
    });
  });

  it("expires at its time (not before): canceled with the expired error, every prompt skipped", () => {
    expect(decide(pending().state, { type: "wake" }, 599)).toBeNull();
    const expired = decide(pending().state, { type: "wake" }, 600);
    expect(expired && kinds(expired)).toEqual(["record final"]);
    expect(expired?.state).toMatchObject({
      status: "canceled",
      error: {
        code: "expired",
        message: "The execution was not started within 600 ms of its creation, so it was canceled",
      },
    });
    expect(statuses(expired?.state ?? pending().state)).toEqual(["skipped/-", "skipped/-", "skipped/-"]);
  });

  it("is canceled at once when asked (nothing in flight), and a restart does not start it", () => {
    const canceled = decide(pending().state, { type: "cancel" }, 5);
    expect(canceled?.state).toMatchObject({ status: "canceled", error: null });
    expect(decide(pending().state, { type: "resume", completions: new Map() }, 5)).toEqual({
      state: pending().state,
      effects: [],
    });
  });
});
