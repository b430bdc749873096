// Worker entry: the HTTP app, the daily retention (the Cron Trigger), the per-execution and the
// per-user Durable Object classes.
import { createApp } from "./app";
import { deleteExpiredRecords } from "./services/retention";

export { ExecutionSession } from "./durable/execution-session";
export { UserAccount } from "./durable/user-account";

const app = createApp();

export default {
  fetch: app.fetch,
  scheduled(controller, env, ctx) {
    ctx.waitUntil(deleteExpiredRecords(env, controller.scheduledTime));
  },
} satisfies ExportedHandler<Env>;
