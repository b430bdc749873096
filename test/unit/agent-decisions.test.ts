// An agent step's decisions as a table (SPEC §12): a turn with calls records them (run, refused, waiting,
// denied by the waiting limit); decisions and results settle them and the next turn is prepared; the
// run waits (its cap standing still) only when nothing is in flight; a decision on a call not waiting
// changes nothing; the approval timeout; the end denies and interrupts what is left; a restart never
// runs a call whose result is stored and reruns only what may run again; nextWake follows the timeouts.
import { describe, expect, it } from "vitest";
import type { ResolvedCall } from "../../src/engine/agent-state";
import { nextWake } from "../../src/engine/next-wake";
import type { ExecutionPlan } from "../../src/engine/plan";
import type { AgentTurn, Decision, RunEffect, RunInput } from "../../src/engine/run-io";
import { decide, startRun } from "../../src/engine/run-machine";
import type { CallGrant } from "../../src/engine/spending";

const plan: ExecutionPlan = {
  executionId: "e",
  ownerId: "u",
  toolId: "t",
  toolName: "T",
  onPromptError: "stop",
  prompts: [
    {
      id: "p",
      name: "p",
      position: 0,
      ordinal: 1,
      model: "m",
      systemContext: null,
      content: "Do it",
      temperature: null,
      maxTokens: null,
      tools: ["s.*"],
      maxSteps: 3,
    },
  ],
  values: {},
  sourceExecutionId: null,
  fromPromptId: null,
  reusable: {},
  budgetMicros: null,
};
const LIMITS = { limitMs: 60_000, maxAttempts: 3, approvalTimeoutMs: 1_000 };
const GRANT: CallGrant = { granted: true, reservedMicros: 0, outputTokens: 10, boundBy: null };
const spent = { costMicros: null, estimatedCostMicros: null, overshootMicros: null };

const call = (name: string, change: Partial<ResolvedCall> = {}): ResolvedCall => ({
  modelCallId: `m-${name}`,
  functionName: `s__${name}`,
  name: `s.${name}`,
  rawArguments: "{}",
  arguments: {},
  invalid: null,
  needsApproval: false,
  rerunnable: false,
  ...change,
});

type Input = Exclude<RunInput, { type: "start" }>;
function run(inputs: [Input, number?][]): Decision {
  return inputs.reduce<Decision>(
    (decision, [input, at = 1]) => decide(decision.state, input, at) ?? { state: decision.state, effects: [] },
    startRun(plan, LIMITS, 0),
  );
}
const prepared = (attempt = 1): Input => ({
  type: "prepared",
  calls: [{ promptId: "p", attempt, requestHash: "h", reuse: false, grant: GRANT }],
});
const turn = (text: string, calls: ResolvedCall[], wait: AgentTurn["wait"] = "none"): Input => ({
  type: "attemptEnded",
  promptId: "p",
  attempt: 1,
  outcome: { kind: "completed", output: text, usage: null, spent, turn: { text, calls, wait } },
});
const answered = (output: string): Input => ({
  type: "attemptEnded",
  promptId: "p",
  attempt: 1,
  outcome: { kind: "completed", output, usage: null, spent },
});
const types = (effects: RunEffect[]) =>
  effects.map((effect) => (effect.type === "emit" ? effect.event.type : effect.type));
const agentOf = (decision: Decision) => decision.state.prompts.p?.agent;

describe("an agent step's turn with tool calls", () => {
  it("runs a call that needs no approval and prepares the next turn once its result is in", () => {
    const asked = run([[prepared()], [turn("Looking. ", [call("read")])]]);
    expect(types(asked.effects)).toEqual(["tool.called", "tool"]);
    expect(asked.state.prompts.p).toMatchObject({ status: "running", work: "tooling" });
    const callId = agentOf(asked)?.calls[0]?.callId ?? "";
    const result = decide(
      asked.state,
      { type: "toolEnded", promptId: "p", callId, result: { isError: false, output: "42", durationMs: 5 } },
      2,
    );
    expect(types(result?.effects ?? [])).toEqual(["tool.completed", "prepare"]);
    expect(result?.state.prompts.p).toMatchObject({ work: "preparing", attempts: 0 });
    expect(result?.state.prompts.p?.agent).toMatchObject({ turn: 2, turnTexts: ["Looking. "] });
  });

  it("sends refused arguments back at once, and denies approvals past the waiting limit", () => {
    const asked = run([
      [prepared()],
      [turn("", [call("bad", { invalid: "not JSON" }), call("write", { needsApproval: true })], "refused")],
    ]);
    expect(types(asked.effects)).toEqual(["tool.called", "tool.completed", "tool.called", "tool.decided", "prepare"]);
    expect(agentOf(asked)?.calls.map((item) => [item.status, item.decidedBy])).toEqual([
      ["failed", undefined],
      ["denied", "system"],
    ]);
  });

  it("waits for a decision with nothing in flight: the run is waiting and its cap stands still until then", () => {
    const asked = run([[prepared()], [turn("", [call("write", { needsApproval: true })], "allowed")]]);
    expect(types(asked.effects)).toEqual(["tool.called", "tool.approval_requested"]);
    expect(asked.state).toMatchObject({ status: "waiting", waitingSince: 1, accountWaiting: true });
    expect(asked.state.prompts.p).toMatchObject({ status: "waiting", work: null });
    expect(nextWake(asked.state, 1)).toEqual({ at: 1 + LIMITS.approvalTimeoutMs, reason: "approval timeout" });
    const callId = agentOf(asked)?.calls[0]?.callId ?? "";
    const approved = decide(asked.state, { type: "decided", callId, decision: "approve", by: "u" }, 501);
    expect(types(approved?.effects ?? [])).toEqual(["tool.decided", "tool", "account"]);
    expect(approved?.state).toMatchObject({ status: "running", waitingSince: null, deadline: 60_000 + 500 });
    // Deciding again changes nothing (the object answers the call as it stands).
    expect(
      decide(approved?.state ?? asked.state, { type: "decided", callId, decision: "deny", by: "u" }, 502),
    ).toBeNull();
  });

  it("denies a call nobody decided within APPROVAL_TIMEOUT_MS when the alarm rings", () => {
    const asked = run([[prepared()], [turn("", [call("write", { needsApproval: true })], "allowed")]]);
    expect(decide(asked.state, { type: "wake" }, 900)).toBeNull();
    const timedOut = decide(asked.state, { type: "wake" }, 1_001);
    expect(types(timedOut?.effects ?? [])).toEqual(["tool.decided", "prepare", "account"]);
    expect(agentOf(timedOut as Decision)?.calls[0]).toMatchObject({ status: "denied", decidedBy: "timeout" });
  });

  it("fails max_steps when the last allowed turn asks for tools", () => {
    const settle = (decision: Decision, at: number): Decision => {
      const callId = agentOf(decision)?.calls.at(-1)?.callId ?? "";
      const result = { isError: false, output: "x", durationMs: 1 };
      return decide(decision.state, { type: "toolEnded", promptId: "p", callId, result }, at) ?? decision;
    };
    let decision = run([[prepared()], [turn("1 ", [call("read")])]]);
    for (const at of [2, 3]) {
      decision = settle(decision, at);
      decision = decide(decision.state, prepared(), at) ?? decision;
      decision = decide(decision.state, turn(`${at} `, [call("read")]), at) ?? decision;
    }
    expect(decision.state.prompts.p).toMatchObject({ status: "failed", error: { code: "max_steps" } });
    expect(agentOf(decision)?.calls).toHaveLength(2);
  });

  it("on cancel while waiting, denies the waiting call by the system and ends", () => {
    const asked = run([[prepared()], [turn("", [call("write", { needsApproval: true })], "allowed")]]);
    const canceled = decide(asked.state, { type: "cancel" }, 5);
    expect(canceled?.state).toMatchObject({ status: "canceled" });
    expect(agentOf(canceled as Decision)?.calls[0]).toMatchObject({ status: "denied", decidedBy: "system" });
  });

  it("completes when a turn answers without calls, its output the text of every turn", () => {
    const asked = run([[prepared()], [turn("A ", [call("read")])]]);
    const callId = agentOf(asked)?.calls[0]?.callId ?? "";
    const next = decide(
      asked.state,
      { type: "toolEnded", promptId: "p", callId, result: { isError: false, output: "r", durationMs: 1 } },
      2,
    ) as Decision;
    const started = decide(next.state, prepared(), 3) as Decision;
    // The second turn begins without a new prompt.started: the step's output goes on.
    expect(types(started.effects)).toEqual(["call"]);
    const done = decide(started.state, answered("A B"), 4) as Decision;
    expect(
      done.effects.find((effect) => effect.type === "emit" && effect.event.type === "prompt.completed"),
    ).toMatchObject({
      event: { data: { output: "A B" } },
    });
  });
});

describe("an agent step after a restart", () => {
  const running = () => {
    const asked = run([[prepared()], [turn("", [call("write"), call("read", { rerunnable: true }), call("done")])]]);
    return asked.state;
  };

  it("never runs a call whose result is stored, reruns only what may run again, interrupts the rest", () => {
    const state = running();
    const [write, read, done] = state.prompts.p?.agent?.calls ?? [];
    const resumed = decide(
      state,
      {
        type: "resume",
        completions: new Map(),
        toolResults: new Map([[done?.callId ?? "", { isError: false, output: "stored", durationMs: 3 }]]),
        loggedCalls: new Set(),
      },
      10,
    ) as Decision;
    const calls = resumed.state.prompts.p?.agent?.calls ?? [];
    expect(calls.map((item) => item.status)).toEqual(["interrupted", "running", "completed"]);
    expect(resumed.effects).toContainEqual({ type: "tool", promptId: "p", callId: read?.callId });
    expect(resumed.effects).not.toContainEqual({ type: "tool", promptId: "p", callId: write?.callId });
    expect(types(resumed.effects).filter((type) => type === "tool.completed")).toHaveLength(2);
    expect(resumed.state.prompts.p?.work).toBe("tooling");
  });
});
