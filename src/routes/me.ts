// /api/me: the caller's own data (SPEC §13): export it all, delete it all. HTTP only.
import { Hono } from "hono";
import type { AppEnv } from "../app-env";
import { exportItems } from "../services/exports";
import { executionView, toolView } from "./views";

const encoder = new TextEncoder();

export const meRoutes = new Hono<AppEnv>()
  .get("/export", (c) => {
    const userId = c.var.userId;
    const items = exportItems(c.env, c.var.db, userId);
    // Pulled one line at a time: a slow reader holds the reads back, and a gone one stops them.
    const body = new ReadableStream<Uint8Array>({
      async pull(controller) {
        const next = await items.next();
        if (next.done) return controller.close();
        const item = next.value;
        const line =
          item.type === "tool"
            ? { type: "tool", ...toolView(item.tool, userId) }
            : {
                type: "execution",
                ...executionView(item.record),
              };
        controller.enqueue(encoder.encode(`${JSON.stringify(line)}\n`));
      },
      async cancel() {
        await items.return(undefined);
      },
    });
    return new Response(body, {
      headers: {
        "Content-Type": "application/x-ndjson; charset=utf-8",
        "Content-Disposition": 'attachment; filename="assistant-architect-export.ndjson"',
        "Cache-Control": "no-store",
      },
    });
  })
  .delete("/data", async (c) => {
    await c.var.deletions.deleteMyData(c.var.userId);
    return c.json({ status: "accepted" }, 202);
  });
