// The one place a run's decisions are applied: each input is decided (engine/run-machine.ts), the
// next state is stored, then its effects are carried out in order; an effect that does work reports
// back as an input. A fresh life of the object takes a stored running run up by deciding `resume`:
// what the stored state says, not a promise, is what keeps a run alive.
import type { Database } from "../db/client";
import type { RunCalls } from "../engine/calls";
import { summaryOf } from "../engine/outcomes";
import type { ExecutionPlan } from "../engine/plan";
import type { RunEffect, RunInput } from "../engine/run-io";
import { createPending, decide, startRun } from "../engine/run-machine";
import { ownCost, type RunState } from "../engine/run-state";
import type { ExecutionEvent } from "../events/types";
import type { Config } from "../lib/config";
import { describeError, log } from "../lib/log";
import { type ParentLink, parentOf } from "../lib/nested-ids";
import { createRunCalls } from "./run-calls";
import { logFinished } from "./run-log";
import type { NestedHost, NestedSession } from "./run-nested";
import { RunRecords } from "./run-records";
import { RunTools, storedToolResult, storedToolResults } from "./run-tools";
import { admissionLimits } from "./user/admission";
import type { UserAccount } from "./user-account";

/** What the shell needs of its object. */
export interface ShellHost {
  now(): number;
  config(): Config;
  /** Stores the run's state (rewritten after every decision). */
  save(state: RunState): void;
  /** Appends to the event log and wakes followers. */
  append(event: ExecutionEvent): void;
  /** Every prompt's output so far, its logged completion, and the tool calls whose end is logged (after a restart). */
  progress(): {
    outputs: ReadonlyMap<string, string>;
    completions: ReadonlyMap<string, import("../engine/run-io").LoggedCompletion>;
    loggedCalls: ReadonlySet<string>;
  };
  /** The object's key-value storage (tool calls' results live there). */
  kv(): SyncKvStorage;
  database(): Database;
  /** D1 itself (a nested execution's tool is read through its Sessions API). */
  d1(): D1Database;
  /** Another execution's object (a nested execution this run starts and waits for). */
  session(executionId: string): NestedSession;
  /** Tells a parent execution's object that this nested execution ended. */
  notifyParent(parent: ParentLink): Promise<void>;
  /** R2, where an ended run's contents go. */
  bucket(): R2Bucket;
  /** The owner's account (slots, the daily budget, the list's newest items). */
  account(userId: string): DurableObjectStub<UserAccount>;
  /** A rerun's source output for a prompt it reuses (undefined when there is none). */
  sourceOutput(sourceExecutionId: string, promptId: string): Promise<string | undefined>;
  /** The terminal event is stored: let go of the log's memory. */
  ended(): void;
  /** The event log's retention has passed: delete everything the object stores. */
  forget(): Promise<void>;
  /** Keeps the object alive while `work` goes on. */
  waitUntil(work: Promise<unknown>): void;
  /** The state changed: the object arms its alarm for what is next due. */
  changed(): void;
}

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
        this.host.waitUntil(this.tellAccount(effect.action));
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

  /**
   * Tells the owner's account what became of the run. A lease not renewed lapses on its own; an end
   * not told is tried a few times (until then the account counts the run's hold against the day).
   */
  private async tellAccount(action: "renew" | "ended" | "indexed" | "resumed"): Promise<void> {
    const state = this.state;
    if (!state) return;
    const { plan } = state;
    const account = this.host.account(plan.ownerId);
    const limits = admissionLimits(this.host.config());
    const run = { id: plan.executionId, createdAt: plan.header?.createdAt ?? state.startedAt };
    const tries = action === "ended" ? 3 : 1;
    for (let attempt = 1; attempt <= tries; attempt++) {
      try {
        if (action === "renew") await account.renewLease(plan.ownerId, limits, run);
        else if (action === "resumed") await account.resumedAfterWaiting(plan.ownerId, limits, run);
        else if (action === "indexed") await account.runIndexed(plan.executionId);
        else
          await account.runEnded(plan.ownerId, limits, {
            ...run,
            // The owner's day counts nested executions on their own runs.
            costMicros: ownCost(state),
            summary: summaryOf(state, this.allOutputs()),
            indexed: !state.owesSnapshot,
          });
        return;
      } catch (error) {
        log("warn", "could not tell the account", {
          executionId: plan.executionId,
          action,
          error: describeError(error),
        });
        await new Promise((resolve) => setTimeout(resolve, 200 * attempt));
      }
    }
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
      // An account that cannot be reached lets nobody wait: the call is denied rather than left unbounded.
      beginWaiting: () =>
        this.host
          .account(state.plan.ownerId)
          .beginWaiting(state.plan.ownerId, admissionLimits(this.host.config()), {
            id: state.plan.executionId,
            createdAt: state.plan.header?.createdAt ?? state.startedAt,
          })
          .catch((error: unknown) => {
            log("error", "the account could not be asked to let the run wait", { error: describeError(error) });
            return false;
          }),
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
      account: () => this.host.account(state.plan.ownerId),
      session: (executionId) => this.host.session(executionId),
      started: (callId, executionId, budgetMicros) =>
        this.dispatch({ type: "nestedStarted", callId, executionId, budgetMicros }),
      share: (callId, known) => this.runCalls().openNested(key(callId), this.startingNested(), known),
      settle: (callId, costMicros) => this.runCalls().settleNested(key(callId), costMicros),
    };
  }

  /** `assistant:` calls running without a nested execution yet: they split what is left of the budget. */
  private startingNested(): number {
    const calls = Object.values(this.state?.prompts ?? {}).flatMap((prompt) => prompt.agent?.calls ?? []);
    return calls.filter((call) => call.status === "running" && call.name.startsWith("assistant:") && !call.nested)
      .length;
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
      account: () => this.host.account(state.plan.ownerId),
      ledgerFailed: () => this.dispatch({ type: "ledgerFailed" }),
      agentTools: this.runTools(),
    });
    return this.calls;
  }
}
