// Starts the Worker (wrangler dev builds the page first) with dev tokens on, the scripted upstream, a
// real OpenID provider (oidc-provider) the Worker signs people in with, and the offline demo MCP servers
// the same Worker serves, configured as its MCP servers (agent steps: page-approvals).
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
        // Agent steps' tools: the demo servers at /demo/mcp/* of this very Worker, as `npm start` has them
        // (.dev.vars.example); classroom.post_announcement needs approval (page-approvals.browser.test.ts).
        DEMO_MCP_SERVERS: "true",
        MCP_SERVERS: JSON.stringify(
          ["lesson", "classroom"].map((name) => ({ name, url: `http://127.0.0.1:${port}/demo/mcp/${name}` })),
        ),
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
