// GET /api/models: the model catalogue (MODELS, with the built-in demo) with prices; no endpoints or keys.
import { Hono } from "hono";
import type { AppEnv } from "../app-env";
import { modelsView } from "./views";

export const modelRoutes = new Hono<AppEnv>().get("/", (c) =>
  c.json({
    models: modelsView(c.var.config.models.entries.values()),
    allowUnlisted: c.var.config.models.allowUnlisted,
  }),
);
