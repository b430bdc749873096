// Worker entry: the HTTP app and the per-execution Durable Object class.
import { createApp } from "./app";

export { ExecutionSession } from "./durable/execution-session";

export default createApp() satisfies ExportedHandler<Env>;
