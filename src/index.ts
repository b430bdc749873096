// Worker entry: the HTTP app, the per-execution and the per-user Durable Object classes.
import { createApp } from "./app";

export { ExecutionSession } from "./durable/execution-session";
export { UserAccount } from "./durable/user-account";

export default createApp() satisfies ExportedHandler<Env>;
