import { describe, expect, it } from "vitest";
import { api } from "../helpers/api";

describe("GET /health", () => {
  it("answers without a token and reports D1 reachable", async () => {
    const response = await api("/health");
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ status: "ok" });
  });
});
