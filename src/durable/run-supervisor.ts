// The run inside one instance of an execution's object: launches it (or resumes what an earlier
// instance left), stops it from outside, and finds a run that died with an earlier instance.
import { stopEnding } from "../engine/endings";
import * as transition from "../engine/state";
import type { StopReason } from "../engine/stop-reasons";
import type { Config } from "../lib/config";
import { describeError, log } from "../lib/log";
import { executeRun, finishRun, type RunHost } from "./session-run";

/** The alarm fires at least this often while running: keeps the object alive, notices a dead run. */
export const HEARTBEAT_MS = 30_000;

/** What the supervisor needs of its object beyond what the run itself does. */
export interface SupervisorHost extends RunHost {
  config(): Config;
  setAlarm(at: number): Promise<void>;
  /** Keeps the instance alive while the run goes on. */
  waitUntil(work: Promise<unknown>): void;
}

export class RunSupervisor {
  /** The run (or its ending) in this instance; absent while the state says running means it died. */
  private run: Promise<void> | undefined;
  private controller: AbortController | undefined;

  constructor(private readonly host: SupervisorHost) {}

  /** Starts the run in this instance (or resumes an earlier instance's), with its heartbeat alarm. */
  async launch(resume: boolean): Promise<void> {
    const { plan, deadline } = this.host.state();
    const controller = new AbortController();
    this.controller = controller;
    const host: RunHost = {
      ...this.host,
      ended: (state) => {
        this.controller = undefined;
        return this.host.ended(state);
      },
    };
    // `run` is set before the first await: state says running, so anyone finding no run would take it for dead.
    // The run must never reject unobserved: anything unexpected is logged.
    this.run = executeRun(host, this.host.config(), controller, resume).catch((error: unknown) => {
      log("error", "run crashed", { executionId: plan.executionId, error: describeError(error) });
    });
    this.host.waitUntil(this.run);
    await this.host.setAlarm(Math.min(deadline, this.host.now() + HEARTBEAT_MS));
  }

  /** Stops a live run (cancel, the cap) and waits for it to end; false when none lives here. */
  async stop(reason: StopReason): Promise<boolean> {
    if (!this.controller || !this.run) return false;
    this.controller.abort(reason);
    await this.run;
    return true;
  }

  /** A run lives in this instance (or has ended in it). */
  get alive(): boolean {
    return this.run !== undefined;
  }

  /**
   * State says running but no run lives here: the object restarted mid-run (eviction, deploy,
   * crash). The run continues, unless a cancel was asked for, the cap has passed or D1 was failing:
   * then it ends.
   */
  async recoverIfStale(): Promise<void> {
    const state = this.host.state();
    if (state.status !== "running" || this.run) return;
    const stop = transition.stopAfterRestart(state, this.host.now());
    if (!stop) {
      log("warn", "resuming an execution whose run was interrupted", { executionId: state.plan.executionId });
      await this.launch(true);
      return;
    }
    log("warn", "finishing an execution whose run died", { executionId: state.plan.executionId, reason: stop.code });
    this.host.apply(transition.recordsOwed(state, true));
    this.run = finishRun(this.host, stopEnding(stop, state.limitMs));
    await this.run;
  }
}
