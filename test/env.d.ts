// Test-only bindings added in vitest.config.ts.
import type { D1Migration } from "cloudflare:test";

declare global {
  namespace Cloudflare {
    interface Env {
      TEST_MIGRATIONS: D1Migration[];
      /** An empty D1 for migration tests (test/integration/migration-0011.test.ts); DB has every migration. */
      MIGRATION_DB: D1Database;
      /** The key of the test catalogue entry (its apiKeyVar). */
      CATALOGUE_TEST_KEY: string;
      /** The test MCP server's base URL (test/upstream/mcp-server.ts). */
      MCP_TEST_URL: string;
      /** An MCP server URL nothing listens on. */
      MCP_DOWN_URL: string;
      /** The headers (JSON) of the deployment's test MCP servers (their headersVar). */
      MCP_TEST_HEADERS: string;
      /** The real OpenID provider (oidc-provider) and the rogue one, on loopback (test/oidc-provider). */
      TEST_OIDC_ISSUER: string;
      TEST_ROGUE_ISSUER: string;
    }
  }
}
