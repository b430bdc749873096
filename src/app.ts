// Builds the Hono app: middleware in order, one sub-app per resource, one error mapper.
import { Hono } from "hono";
import { requestId } from "hono/request-id";
import type { AppEnv } from "./app-env";
import { requireAdmin } from "./middleware/admin";
import { authenticate } from "./middleware/auth";
import { limitBody } from "./middleware/body-limit";
import { requestContext } from "./middleware/context";
import { corsFromConfig } from "./middleware/cors";
import { handleError, handleNotFound } from "./middleware/error-handler";
import { adminRoutes } from "./routes/admin";
import { assistantArchitectRoutes } from "./routes/assistant-architect";
import { authRoutes } from "./routes/auth";
import { demoMcpRoutes } from "./routes/demo-mcp";
import { devRoutes } from "./routes/dev";
import { docsRoutes } from "./routes/docs";
import { executionRoutes } from "./routes/executions";
import { healthRoutes } from "./routes/health";
import { mcpRoutes } from "./routes/mcp";
import { meRoutes } from "./routes/me";
import { modelRoutes } from "./routes/models";
import { toolRoutes } from "./routes/tools";
import { usageRoutes } from "./routes/usage";

/** The one route that also accepts a `?token=` stream token. */
const EVENTS_PATH = /^\/api\/executions\/[^/]+\/events$/;

/** The Worker's HTTP app. */
export function createApp() {
  const app = new Hono<AppEnv>();
  app.use(requestId({ headerName: "X-Request-Id" }));
  app.use(corsFromConfig());
  app.use(requestContext());
  app.use("/api/*", authenticate({ allowStreamToken: (path) => EVENTS_PATH.test(path) }));
  app.use("/api/*", limitBody());
  app.use("/api/admin/*", requireAdmin());
  app.route("/health", healthRoutes);
  app.route("/auth", authRoutes);
  app.route("/dev", devRoutes);
  app.route("/demo/mcp", demoMcpRoutes);
  app.route("/", docsRoutes);
  app.route("/api/tools", toolRoutes);
  app.route("/api/executions", executionRoutes);
  app.route("/api/me", meRoutes);
  app.route("/api/assistant-architect", assistantArchitectRoutes);
  app.route("/api/models", modelRoutes);
  app.route("/api/mcp", mcpRoutes);
  app.route("/api/usage", usageRoutes);
  app.route("/api/admin", adminRoutes);
  app.notFound(handleNotFound);
  app.onError(handleError);
  return app;
}
