// /api/admin/*: administrators' routes (SPEC §14), behind requireAdmin in app.ts. None yet: usage reports,
// the audit trail and admin reads and purges come here.
import { Hono } from "hono";
import type { AppEnv } from "../app-env";

export const adminRoutes = new Hono<AppEnv>();
