// The one structured line an operator gets per execution (docs/deploy.md, "Observability").
import type { RunState } from "../engine/run-state";
import { log } from "../lib/log";

/** Logs how an execution ended: status, error code, duration, each prompt's status, records owed. */
export function logFinished(state: RunState, now: number): void {
  log("info", "execution finished", {
    executionId: state.plan.executionId,
    toolId: state.plan.toolId,
    userId: state.plan.ownerId,
    status: state.status,
    errorCode: state.error?.code ?? null,
    durationMs: (state.finishedAt ?? now) - state.startedAt,
    prompts: Object.fromEntries(state.plan.prompts.map((prompt) => [prompt.name, state.prompts[prompt.id]?.status])),
    recordsOwed: state.owesSnapshot,
  });
}
