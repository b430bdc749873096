// The one place a run's decisions are applied: each input is decided (engine/run-machine.ts), the
// next state is stored, then its effects are carried out in order; an effect that does work reports
// back as an input. A fresh life of the object takes a stored running run up by deciding `resume`:
// what the stored state says, not a promise, is what keeps a run alive.
import { startingNestedCalls } from "../engine/assistant-tools";
import type { RunCalls } from "../engine/calls";
import type { ExecutionPlan } from "../engine/plan";
import type { RunEffect, RunInput } from "../engine/run-io";
import { createPending, decide, startRun } from "../engine/run-machine";
import type { RunState } from "../engine/run-state";
import { describeError, log } from "../lib/log";
import { parentOf } from "../lib/nested-ids";
import { mayWait, tellAccount } from "./run-account";
import { createRunCalls } from "./run-calls";
import { logFinished } from "./run-log";
import type { NestedHost } from "./run-nested";
import { RunRecords } from "./run-records";
import { RunTools, storedToolResult, storedToolResults } from "./run-tools";
import type { ShellHost } from "./shell-host";
import type { UserAccount } from "./user-account";

export class RunShell {
  private state: RunState | undefined;
  /** This life of the object has taken the run up (started it, or decided `resume`). */
  private live = false;
  private controller = new AbortController();
  private calls: RunCalls | undefined;
  private tools: RunTools | undefined;
  /** Each prompt's output as last known (attempts, reuse, or the log after a restart). */
  private readonly outputs = new Map<string, string>();
  private readonly records: RunRecords;
  private readonly queue: Exclude<RunInput, { type: "start" }>[] = [];
  private deciding = false;
  private readonly endWaiters = new Set<() => void>();

  constructor(
    private readonly host: ShellHost,
    stored: RunState | undefined,
  ) {
    this.state = stored;
    this.records = new RunRecords({
      state: () => this.state,
      database: () => host.database(),
      bucket: () => host.bucket(),
      outputs: () => this.allOutputs(),
      toolResult: (callId) => storedToolResult(host.kv(), callId),
      waitUntil: (work) => host.waitUntil(work),
    });
  }

  get current(): RunState | undefined {
    return this.state;
  }

  /** Starts a run (once: a later start is a client's retry). */
  start(plan: ExecutionPlan): void {
    if (this.state) return;
    this.live = true;
    this.apply(startRun(plan, this.limits(), this.host.now()));
  }

  /** Creates a pending execution: started later, or expired at `pendingUntil`. */
  createPending(plan: ExecutionPlan, pendingUntil: number): void {
    if (this.state) return;
    this.live = true;
    this.apply(createPending(plan, this.limits(), this.host.now(), pendingUntil));
  }

  private limits() {
    const config = this.host.config();
    return {
      limitMs: config.maxExecutionMs,
      maxAttempts: config.promptMaxAttempts,
      approvalTimeoutMs: config.approvalTimeoutMs,
    };
  }

  /** A stored run that this life has not taken up yet is taken up: whatever was in flight was cut. */
  takeUp(): void {
    const state = this.state;
    if (this.live || !state || state.terminalStored) return;
    this.live = true;
    log("warn", "taking up an execution whose object restarted", { executionId: state.plan.executionId });
    const { outputs, completions, loggedCalls } = this.host.progress();
    for (const [promptId, output] of outputs) this.outputs.set(promptId, output);
    for (const [promptId, completion] of completions) this.outputs.set(promptId, completion.output);
    const toolResults = storedToolResults(this.host.kv());
    this.dispatch({ type: "resume", completions, toolResults, loggedCalls });
  }

  /** Decides `input` and applies the decision; inputs that arrive while one is applied wait their turn. */
  dispatch(input: Exclude<RunInput, { type: "start" }>): void {
    this.queue.push(input);
    if (this.deciding) return;
    this.deciding = true;
    try {
      for (let next = this.queue.shift(); next; next = this.queue.shift()) {
        const state = this.state;
        if (!state) continue;
        const decision = decide(state, next, this.host.now());
        if (decision) this.apply(decision);
      }
    } finally {
      this.deciding = false;
    }
  }

  /** Resolves once the terminal event is stored (or after `timeoutMs`). */
  whenEnded(timeoutMs: number): Promise<void> {
    if (!this.state || this.state.terminalStored) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.endWaiters.delete(done);
        resolve();
      };
      const timer = setTimeout(done, timeoutMs);
      this.endWaiters.add(done);
    });
  }

  /** Resolves once every D1 write asked for so far has ended (an alarm waits for the repair it started). */
  recordsSettled(): Promise<void> {
    return this.records.settled();
  }

  /** Forgets the run (its storage was deleted): whatever is still in flight is stopped and goes nowhere. */
  reset(): void {
    this.controller.abort(new Error("the run was erased"));
    this.controller = new AbortController();
    this.state = undefined;
    this.live = false;
    this.calls = undefined;
    void this.tools?.close();
    this.tools = undefined;
    this.outputs.clear();
  }

  /** The one place the state changes: stored first, then each effect carried out in order. */
  private apply(decision: { state: RunState; effects: RunEffect[] }): void {
    this.state = decision.state;
    this.host.save(decision.state);
    for (const effect of decision.effects) this.perform(effect);
    if (decision.state.terminalStored) for (const done of [...this.endWaiters]) done();
    this.host.changed();
  }

  private perform(effect: RunEffect): void {
    switch (effect.type) {
      case "emit":
        this.host.append(effect.event);
        return;
      case "prepare":
        this.work(
          effect.calls.map((call) => call.promptId),
          async () => ({ type: "prepared", calls: await this.runCalls().prepare(effect.calls) }),
        );
        return;
      case "reuse":
        this.work([effect.promptId], async () => {
          const output = await this.reusedOutput(effect.promptId);
          if (output !== null) this.outputs.set(effect.promptId, output);
          return { type: "reused", promptId: effect.promptId, output };
        });
        return;
      case "call":
        this.work([effect.promptId], async () => {
          const outcome = await this.runCalls().call(effect.promptId, effect.attempt, effect.grant);
          this.outputs.set(effect.promptId, outcome.output);
          return { type: "attemptEnded", promptId: effect.promptId, attempt: effect.attempt, outcome };
        });
        return;
      case "release":
        this.runCalls().release(effect.promptId, effect.attempt);
        return;
      case "abort":
        this.controller.abort(effect.reason);
        return;
      case "tool": {
        const call = this.state?.prompts[effect.promptId]?.agent?.calls.find((item) => item.callId === effect.callId);
        if (!call) return;
        this.work([effect.promptId], async () => ({
          type: "toolEnded",
          promptId: effect.promptId,
          callId: effect.callId,
          result: await this.runTools().run(call, this.controller.signal),
        }));
        return;
      }
      case "record":
        this.records.enqueue(effect.write, (ok) => this.dispatch({ type: "recorded", write: effect.write.kind, ok }));
        return;
      case "account":
        if (this.state)
          this.host.waitUntil(
            tellAccount(this.account(), this.host.config(), this.state, () => this.allOutputs(), effect.action),
          );
        return;
      case "ended":
        this.ended();
        return;
      case "forget":
        this.host.waitUntil(this.host.forget());
        return;
    }
  }

  /** Runs an effect's work and reports its input; anything unexpected fails its prompts, never the object. */
  private work(promptIds: string[], run: () => Promise<Exclude<RunInput, { type: "start" }>>): void {
    const reported = run().then(
      (input) => this.dispatch(input),
      (error: unknown) => {
        log("error", "a run's work failed unexpectedly", {
          executionId: this.state?.plan.executionId,
          error: describeError(error),
        });
        this.dispatch({
          type: "workFailed",
          promptIds,
          error: { code: "internal", message: "The prompt failed unexpectedly" },
        });
      },
    );
    this.host.waitUntil(reported);
  }

  /** A rerun's source output; a failure to read it means the prompt calls its model instead. */
  private async reusedOutput(promptId: string): Promise<string | null> {
    const source = this.state?.plan.sourceExecutionId ?? null;
    if (source === null) return null;
    try {
      return (await this.host.sourceOutput(source, promptId)) ?? null;
    } catch (error) {
      log("warn", "could not read a rerun's source output; the prompt runs instead", { error: describeError(error) });
      return null;
    }
  }

  /**
   * Each prompt's output so far: a running prompt's from the log (its deltas since its last start), an
   * ended one's as this life knows it, over what the log holds.
   */
  outputsSoFar(): ReadonlyMap<string, string> {
    const { outputs } = this.host.progress();
    const all = new Map(this.allOutputs());
    for (const [promptId, prompt] of Object.entries(this.state?.prompts ?? {}))
      if (prompt.status === "running") all.set(promptId, outputs.get(promptId) ?? "");
    return all;
  }

  /** Outputs for the records: what this life knows, over what the log holds. */
  private allOutputs(): ReadonlyMap<string, string> {
    const { outputs, completions } = this.host.progress();
    const all = new Map(outputs);
    for (const [promptId, completion] of completions) all.set(promptId, completion.output);
    for (const [promptId, output] of this.outputs) all.set(promptId, output);
    return all;
  }

  /** An `assistant:` call's nested execution ended: its wait (in this life) takes its result now. */
  nestedEnded(callId: string): void {
    this.tools?.nestedEnded(callId);
  }

  private ended(): void {
    const state = this.state;
    if (state) logFinished(state, this.host.now());
    const parent = state ? parentOf(state.plan.executionId) : null;
    if (parent) this.host.waitUntil(this.host.notifyParent(parent));
    this.tools?.closeSoon((work) => this.host.waitUntil(work));
    this.tools = undefined;
    this.host.ended();
  }

  /** This life's agent tools (MCP connections), opened on first use. */
  private runTools(): RunTools {
    const state = this.state;
    if (!state) throw new Error("the execution has no run");
    this.tools ??= new RunTools({
      config: this.host.config(),
      kv: () => this.host.kv(),
      nested: this.nestedHost(state),
      beginWaiting: () => mayWait(this.account(), this.host.config(), state),
    });
    return this.tools;
  }

  /** What this run's `assistant:` calls need: its identity, D1, other objects, and its budget's meter. */
  private nestedHost(state: RunState): NestedHost {
    const key = (callId: string) => `nested:${callId}`;
    return {
      config: this.host.config(),
      parentId: state.plan.executionId,
      ownerId: state.plan.ownerId,
      d1: () => this.host.d1(),
      account: () => this.account(),
      session: (executionId) => this.host.session(executionId),
      started: (callId, executionId, budgetMicros) =>
        this.dispatch({ type: "nestedStarted", callId, executionId, budgetMicros }),
      share: (callId, known) =>
        this.runCalls().openNested(key(callId), this.state ? startingNestedCalls(this.state) : 0, known),
      settle: (callId, costMicros) => this.runCalls().settleNested(key(callId), costMicros),
    };
  }

  /** The owner's account. */
  private account(): DurableObjectStub<UserAccount> {
    const state = this.state;
    if (!state) throw new Error("the execution has no run");
    return this.host.account(state.plan.ownerId);
  }

  /** This life's model calls, built on first use. */
  private runCalls(): RunCalls {
    const state = this.state;
    if (!state) throw new Error("the execution has no run");
    this.calls ??= createRunCalls(state, {
      config: this.host.config(),
      now: () => this.host.now(),
      state: () => this.state,
      outputs: this.outputs,
      signal: () => this.controller.signal,
      append: (event) => this.host.append(event),
      account: () => this.account(),
      ledgerFailed: () => this.dispatch({ type: "ledgerFailed" }),
      agentTools: this.runTools(),
    });
    return this.calls;
  }
}
