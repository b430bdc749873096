// Starts the Worker (wrangler dev builds the page first) with dev tokens on, the scripted upstream, and a
// real OpenID provider (oidc-provider) the Worker signs people in with.
import type { TestProject } from "vitest/node";
import { ALLOWED_DOMAIN, ALLOWED_TENANT, CLIENTS } from "../oidc-provider/accounts.ts";
import { startTestProvider } from "../oidc-provider/provider.ts";
import { freePort, startStack } from "../upstream/local-worker";
import { PAGE_ADMIN } from "./page-admin";

declare module "vitest" {
  export interface ProvidedContext {
    pageUrl: string;
    pageUpstreamUrl: string;
    pageJwtSecret: string;
  }
}

const JWT_SECRET = "browser-secret-0123456789abcdef0123456789";

export default async function setup(project: TestProject) {
  // The provider needs the Worker's redirect URI before the Worker starts, so the port is chosen first.
  const port = await freePort();
  const provider = await startTestProvider([`http://127.0.0.1:${port}/auth/callback`]);
  // Nothing listens there: an MCP server that is down.
  const downPort = await freePort();
  try {
    const stack = await startStack(
      (upstreamUrl) => ({
        OPENAI_BASE_URL: `${upstreamUrl}/v1`,
        OPENAI_API_KEY: "browser",
        JWT_SECRET,
        DEV_TOKENS: "true",
        OIDC_ISSUER: provider.issuer,
        OIDC_CLIENT_ID: CLIENTS.confidential.id,
        OIDC_CLIENT_SECRET: CLIENTS.confidential.secret,
        OIDC_ALLOWED_DOMAINS: ALLOWED_DOMAIN,
        OIDC_ALLOWED_TENANTS: ALLOWED_TENANT,
        // One priced model, sent upstream as `priced-page-upstream` (page-answers scripts it): cost and budgets on the page.
        MODELS: JSON.stringify([
          { name: "priced-page", upstreamModel: "priced-page-upstream", inputUsdPerMTok: 2.5, outputUsdPerMTok: 10 },
          // Never scripted (the upstream echoes): spending for the Usage screen (usage.browser.test.ts).
          { name: "priced-usage", upstreamModel: "priced-usage-upstream", inputUsdPerMTok: 2.5, outputUsdPerMTok: 10 },
        ]),
        // The dev user that is an administrator (usage.browser.test.ts).
        ADMINS: PAGE_ADMIN,
        // The Worker's own offline demo MCP servers, and one that is down (page-editor-agent.browser.test.ts).
        DEMO_MCP_SERVERS: "true",
        MCP_SERVERS: JSON.stringify([
          { name: "lesson", url: `http://127.0.0.1:${port}/demo/mcp/lesson` },
          { name: "classroom", url: `http://127.0.0.1:${port}/demo/mcp/classroom` },
          { name: "offline", url: `http://127.0.0.1:${downPort}/mcp` },
        ]),
      }),
      { port },
    );
    project.provide("pageUrl", stack.worker.baseUrl);
    project.provide("pageUpstreamUrl", stack.upstreamUrl);
    project.provide("pageJwtSecret", JWT_SECRET);
    return async () => {
      await stack.stop();
      await provider.stop();
    };
  } catch (error) {
    await provider.stop();
    throw error;
  }
}
