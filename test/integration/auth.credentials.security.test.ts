// No auth failure echoes a credential: every refusal is checked for any fragment of the token sent.
// Also: stream tokens must expire, and an oversized Authorization header is refused before parsing.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { MAX_AUTHORIZATION_BYTES } from "../../src/middleware/auth";
import { api } from "../helpers/api";
import { newUser, signJwt, tokenFor } from "../helpers/auth";
import { createToolFor, startExecution } from "../helpers/executions";
import { lessonPlanner } from "../helpers/tools";

const FRAGMENT = 8;
const now = () => Math.floor(Date.now() / 1000);
const encode = (value: unknown) =>
  btoa(JSON.stringify(value)).replace(/=+$/, "").replace(/\+/g, "-").replace(/\//g, "_");

/** Every run of FRAGMENT characters of every part of the token: none may appear in a response. */
function fragmentsOf(token: string): string[] {
  const fragments: string[] = [];
  for (const part of token.split(".").filter((segment) => segment.length >= FRAGMENT)) {
    for (let i = 0; i + FRAGMENT <= part.length; i++) fragments.push(part.slice(i, i + FRAGMENT));
  }
  return fragments;
}

async function expectRefusalWithoutEcho(response: Response, token: string): Promise<string> {
  expect(response.status).toBe(401);
  const text = `${[...response.headers].map(([name, value]) => `${name}: ${value}`).join("\n")}\n${await response.text()}`;
  const leaked = fragmentsOf(token).find((fragment) => text.includes(fragment));
  expect(leaked, `the response quotes the token: ${text}`).toBeUndefined();
  return (JSON.parse(text.slice(text.indexOf("\n{") + 1)) as { error: { message: string } }).error.message;
}

const streamKey = `stream-token:v1:${env.JWT_SECRET}`;

describe("access-token refusals never quote the token", () => {
  const cases: [string, () => Promise<string>, RegExp][] = [
    ["expired", () => tokenFor(newUser(), { exp: now() - 10 }), /expired/],
    ["not yet valid", () => tokenFor(newUser(), { nbf: now() + 3600 }), /not valid yet/],
    ["wrong signature", () => tokenFor(newUser(), {}, "another-secret-0123456789abcdef0123456789"), /signature/],
    ["no exp", () => signJwt({ sub: newUser() }, env.JWT_SECRET), /no exp/],
    ["no sub", () => signJwt({ exp: now() + 60 }, env.JWT_SECRET), /sub/],
    [
      "alg none",
      async () => `${encode({ alg: "none", typ: "JWT" })}.${encode({ sub: "x", exp: now() + 60 })}.`,
      /algorithm/,
    ],
    [
      "garbage",
      async () => "eyJhbGciOiJIUzI1NiJ9.not-json-at-all-0123456789.c2lnbmF0dXJlLXRoYXQtaXMtbG9uZw",
      /Invalid token|Malformed/,
    ],
    [
      "unknown kid",
      async () =>
        `${encode({ alg: "RS256", kid: "no-such-key-0123456789" })}.${encode({ sub: "x", exp: now() + 60 })}.c2lnbmF0dXJlLXRoYXQtaXMtbG9uZw`,
      /Invalid token/,
    ],
  ];

  for (const [name, make, reason] of cases) {
    it(`refuses a token (${name}) with a reason and no fragment of it`, async () => {
      const token = await make();
      const message = await expectRefusalWithoutEcho(
        await api("/api/tools", { headers: { Authorization: `Bearer ${token}` } }),
        token,
      );
      expect(message).toMatch(reason);
    });
  }

  it("refuses an Authorization header over 8 KB before parsing it", async () => {
    const token = `${encode({ alg: "HS256" })}.${"A".repeat(MAX_AUTHORIZATION_BYTES)}.sig`;
    const message = await expectRefusalWithoutEcho(
      await api("/api/tools", { headers: { Authorization: `Bearer ${token}` } }),
      token,
    );
    expect(message).toBe(`Authorization header is longer than ${MAX_AUTHORIZATION_BYTES} bytes`);
    // A real token well under the cap still works.
    expect((await api("/api/tools", { user: newUser() })).status).toBe(200);
  });
});

describe("stream tokens", () => {
  async function runningExecution() {
    const user = newUser();
    const tool = await createToolFor(user, lessonPlanner("demo"));
    return { user, execution: await startExecution(user, tool.id, { topic: "tides" }) };
  }

  it("refuses a stream token without exp, even when correctly signed for the execution", async () => {
    const { user, execution } = await runningExecution();
    const token = await signJwt({ sub: user, exe: execution.id, scope: "events:read", iat: now() }, streamKey);
    const message = await expectRefusalWithoutEcho(
      await api(`/api/executions/${execution.id}/events?token=${token}`),
      token,
    );
    expect(message).toBe("Invalid or expired stream token");
  });

  it("refuses expired, foreign and forged stream tokens without quoting them", async () => {
    const { user, execution } = await runningExecution();
    const tokens = [
      await signJwt({ sub: user, exe: execution.id, scope: "events:read", exp: now() - 5 }, streamKey),
      await signJwt({ sub: user, exe: crypto.randomUUID(), scope: "events:read", exp: now() + 60 }, streamKey),
      await signJwt(
        { sub: user, exe: execution.id, scope: "events:read", exp: now() + 60 },
        "forged-key-0123456789abcdef",
      ),
      // An access token is not a stream token.
      await tokenFor(user),
    ];
    for (const token of tokens)
      await expectRefusalWithoutEcho(await api(`/api/executions/${execution.id}/events?token=${token}`), token);
    // The token the API issued still works.
    const good = await api(`/api/executions/${execution.id}/events?token=${execution.streamToken}`);
    expect(good.status).toBe(200);
    await good.body?.cancel();
  });
});
