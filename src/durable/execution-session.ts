// One Durable Object per execution: runs the chain, keeps its event log, enforces time and cancel.
import { DurableObject } from "cloudflare:workers";

export class ExecutionSession extends DurableObject<Env> {}
