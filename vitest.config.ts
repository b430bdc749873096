// Tests run inside workerd with the real bindings from wrangler.toml; the model is a scripted loopback server.
import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";
import { unstable_readConfig } from "wrangler";
import { TEST_DAILY_BUDGET_MICROS } from "./test/daily-budget/cap";
import { MCP_PATHS, MCP_TEST_TOKEN, TEST_ID_HEADER } from "./test/upstream/mcp-names";

export const TEST_JWT_SECRET = "test-secret-0123456789abcdef0123456789abcdef";

/**
 * Every var at its wrangler.toml default: wrangler would otherwise let a developer's `.dev.vars` (or,
 * without one, the process environment) override them, and tests must not depend on either.
 */
// wrangler looks for the required secrets in the environment before our bindings replace them; say
// they are there, so every test file's output is not a warning about them.
process.env.JWT_SECRET ??= TEST_JWT_SECRET;
process.env.OPENAI_API_KEY ??= "test-key";
const wranglerVars = Object.fromEntries(
  Object.entries(unstable_readConfig({ config: "./wrangler.toml" }).vars).map(([key, value]) => [key, String(value)]),
);

/** A workerd test project with the bindings of wrangler.toml, the test ones, and `extra` (what the project is about). */
const workerdProject = (name: string, include: string[], extra: Record<string, string> = {}) => ({
  extends: true as const,
  plugins: [
    cloudflareTest(async ({ inject }) => {
      const upstreamUrl = inject("upstreamUrl");
      const mcpUrl = inject("mcpUrl");
      // The OpenID providers on loopback (test/oidc-provider); sign-in tests configure OIDC with them.
      return {
        wrangler: { configPath: "./wrangler.toml" },
        miniflare: {
          // Coverage travels from the test runner over one WebSocket; past about 250 source files a
          // message outgrows workerd's default 1 MiB limit and the runtime exits mid-suite.
          compatibilityFlags: ["increase_websocket_message_size"],
          // A second, empty D1 (beside wrangler.toml's DB) where a test applies the migrations one by one.
          d1Databases: { MIGRATION_DB: "migration-test-db" },
          bindings: {
            ...wranglerVars,
            TEST_MIGRATIONS: await readD1Migrations("./migrations"),
            JWT_SECRET: TEST_JWT_SECRET,
            OPENAI_API_KEY: "test-key",
            OPENAI_BASE_URL: `${upstreamUrl}/v1`,
            JWKS_URL: `${upstreamUrl}/.well-known/jwks.json`,
            CORS_ORIGINS: "https://app.example.edu",
            MAX_BODY_BYTES: "262144",
            // Priced catalogue entries, served by the scripted upstream under other names with their own key.
            MODELS: JSON.stringify(TEST_MODELS),
            CATALOGUE_TEST_KEY: "catalogue-key-0123456789",
            // Short enough that hang scenarios end quickly; every scripted stream is far faster.
            PROMPT_IDLE_TIMEOUT_MS: "1500",
            // The test MCP server (test/upstream/mcp-server.ts), one that is down, and one that answers 500.
            MCP_TEST_URL: mcpUrl,
            MCP_DOWN_URL: inject("mcpDownUrl"),
            MCP_SERVERS: JSON.stringify([
              { name: "tools", url: `${mcpUrl}${MCP_PATHS.main}`, headersVar: "MCP_TEST_HEADERS" },
              { name: "down", url: inject("mcpDownUrl") },
              { name: "broken", url: `${mcpUrl}${MCP_PATHS.broken}`, headersVar: "MCP_TEST_HEADERS" },
            ]),
            MCP_TEST_HEADERS: JSON.stringify({ Authorization: MCP_TEST_TOKEN, [TEST_ID_HEADER]: "deployment" }),
            // Short enough that a slow tool's test ends quickly.
            MCP_CALL_TIMEOUT_MS: "2000",
            TEST_OIDC_ISSUER: inject("oidcIssuer"),
            TEST_ROGUE_ISSUER: inject("rogueIssuer"),
            ...extra,
          },
        },
      };
    }),
  ],
  test: { name, include },
});

/**
 * `priced-echo` answers as the upstream's default (an echo); the `priced-N` entries send the
 * upstream name `priced-N-upstream`, which a test scripts (one file owns each).
 */
const TEST_MODELS = [
  { name: "priced-echo", upstreamModel: "priced-echo-upstream", contextTokens: 128000 },
  ...[1, 2, 3, 4, 5].map((n) => ({ name: `priced-${n}`, upstreamModel: `priced-${n}-upstream` })),
].map((entry) => ({ ...entry, apiKeyVar: "CATALOGUE_TEST_KEY", inputUsdPerMTok: 2.5, outputUsdPerMTok: 10 }));

export default defineConfig({
  test: {
    projects: [
      workerdProject("workerd", ["test/unit/**/*.test.ts", "test/integration/**/*.test.ts"]),
      // The daily budget applies to every run of a deployment, so its tests have a deployment of their own.
      workerdProject("daily-budget", ["test/daily-budget/**/*.test.ts"], {
        USER_DAILY_BUDGET_MICROS: String(TEST_DAILY_BUDGET_MICROS),
        // Room for eight concurrent runs of one user, so that only the day's budget stops them.
        MAX_CONCURRENT_EXECUTIONS: "20",
      }),
    ],
    globalSetup: ["./test/upstream/global-setup.ts", "./test/oidc-provider/global-setup.ts"],
    setupFiles: ["./test/helpers/apply-migrations.ts"],
    testTimeout: 20_000,
    // One "execution finished" info line per run is for operators; tests keep warnings and errors.
    onConsoleLog: (line) => !line.includes('"level":"info"'),
    coverage: {
      provider: "istanbul",
      include: ["src/**/*.ts"],
      exclude: ["src/worker-configuration.d.ts"],
      reporter: ["text-summary", "text", "html"],
      thresholds: { lines: 90, branches: 85 },
    },
  },
});
