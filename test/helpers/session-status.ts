// Reads an execution's Durable Object status over RPC.
import type { SessionStatus } from "../../src/durable/session-types";
import { sessionStub } from "./session";

export const session = (executionId: string): Promise<SessionStatus> => sessionStub(executionId).status();
