// Reaches an execution's Durable Object directly, for tests that drive its alarm or restart it.
import { env } from "cloudflare:workers";
import type { ExecutionSession } from "../../src/durable/execution-session";
import type { SessionState } from "../../src/engine/state";

export const sessionStub = (executionId: string): DurableObjectStub<ExecutionSession> =>
  env.EXECUTION_SESSION.get(env.EXECUTION_SESSION.idFromName(executionId));

/** The object's in-memory state (private to the class; tests read and move its clock-based fields). */
export const stateOf = (instance: ExecutionSession): SessionState => (instance as unknown as { state: SessionState }).state;
