// The one structured line an operator gets per execution (docs/deploy.md, "Observability").
import type { Ending } from "../engine/endings";
import type { SessionState } from "../engine/state";
import { log } from "../lib/log";

/** Logs how an execution ended: status, error code, duration, each prompt's status, events, records owed. */
export function logFinished(state: SessionState, ending: Ending, now: number, events: number): void {
  log("info", "execution finished", {
    executionId: state.plan.executionId,
    toolId: state.plan.toolId,
    userId: state.plan.ownerId,
    status: ending.status,
    errorCode: ending.error?.code ?? null,
    durationMs: now - state.startedAt,
    prompts: Object.fromEntries(state.plan.prompts.map((prompt) => [prompt.name, state.prompts[prompt.id]?.status])),
    events,
    recordsOwed: state.owesSnapshot,
  });
}
