// Node-side helpers for the out-of-process tests: tokens, API calls, upstream scripts.
import { createHmac, randomUUID } from "node:crypto";
import { inject } from "vitest";
import type { UpstreamAttempt } from "../upstream/scripts";

export const baseUrl = () => inject("baseUrl");

export function signToken(userId: string): string {
  const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");
  const now = Math.floor(Date.now() / 1000);
  const unsigned = `${encode({ alg: "HS256", typ: "JWT" })}.${encode({ sub: userId, iat: now, exp: now + 3600 })}`;
  return `${unsigned}.${createHmac("sha256", inject("jwtSecret")).update(unsigned).digest("base64url")}`;
}

export async function apiJson<T>(path: string, user: string, body?: unknown): Promise<T> {
  const response = await fetch(`${baseUrl()}${path}`, {
    method: body === undefined ? "GET" : "POST",
    headers: { Authorization: `Bearer ${signToken(user)}`, "Content-Type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`${path} answered ${response.status}: ${await response.text()}`);
  return (await response.json()) as T;
}

export async function scriptModel(...attempts: UpstreamAttempt[]): Promise<string> {
  const model = `e2e-${randomUUID()}`;
  await fetch(`${inject("upstreamUrl")}/__scripts`, { method: "POST", body: JSON.stringify({ model, attempts }) });
  return model;
}

/** A one-prompt tool on `model`, returning its id and prompt id. */
export async function createTool(user: string, model: string): Promise<{ id: string; prompts: { id: string }[] }> {
  return apiJson("/api/tools", user, {
    name: "E2E",
    inputFields: [{ name: "topic", label: "Topic", type: "text", required: true }],
    prompts: [{ name: "answer", position: 0, model, content: "About {{topic}}" }],
  });
}

export const newUser = () => `e2e-${randomUUID()}`;
