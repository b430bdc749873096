import { createExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { createApp } from "../../src/app";
import { api } from "../helpers/api";

describe("GET /dev/token", () => {
  it("is 404 unless DEV_TOKENS is true", async () => {
    const response = await api("/dev/token?user=someone");
    expect(response.status).toBe(404);
  });

  it("signs a working access token for the user when enabled", async () => {
    const app = createApp();
    const devEnv = { ...env, DEV_TOKENS: "true" };
    const response = await app.fetch(
      new Request("http://localhost/dev/token?user=teacher-7"),
      devEnv,
      createExecutionContext(),
    );
    expect(response.status).toBe(200);
    const { token, expiresIn } = (await response.json()) as { token: string; expiresIn: number };
    expect(expiresIn).toBe(43_200);
    const tools = await app.fetch(
      new Request("http://localhost/api/tools", { headers: { Authorization: `Bearer ${token}` } }),
      devEnv,
      createExecutionContext(),
    );
    expect(tools.status).toBe(200);
    const bad = await app.fetch(new Request("http://localhost/dev/token?user="), devEnv, createExecutionContext());
    expect(bad.status).toBe(400);
  });
});
