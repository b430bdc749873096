// Reaches an execution's Durable Object directly, for tests that drive its alarm, clock or storage,
// through the seams the class offers (ExecutionSession.internals), never its private fields.
import { env } from "cloudflare:workers";
import type { ExecutionSession } from "../../src/durable/execution-session";
import type { RunState } from "../../src/engine/run-state";

export const sessionStub = (executionId: string): DurableObjectStub<ExecutionSession> =>
  env.EXECUTION_SESSION.get(env.EXECUTION_SESSION.idFromName(executionId));

/** The object's stored run state (throws when it has none). */
export function stateOf(instance: ExecutionSession): RunState {
  const state = instance.internals().state();
  if (!state) throw new Error("the object has no run");
  return state;
}

/** Moves the object's clock `ms` ahead, as if that much time had passed. */
export const advanceClock = (instance: ExecutionSession, ms: number): void =>
  instance.internals().useClock(() => Date.now() + ms);
