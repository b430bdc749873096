// GET /health: public liveness check that also touches D1.
import { Hono } from "hono";
import type { AppEnv } from "../app-env";

export const healthRoutes = new Hono<AppEnv>().get("/", async (c) => {
  const started = Date.now();
  const row = await c.env.DB.prepare("select 1 as ok").first<{ ok: number }>();
  return c.json({ status: row?.ok === 1 ? "ok" : "degraded", d1LatencyMs: Date.now() - started });
});
