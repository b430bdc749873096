// Tests run inside workerd with the real bindings from wrangler.toml; the model is a scripted loopback server.
import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";
import { unstable_readConfig } from "wrangler";

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

export default defineConfig({
  plugins: [
    cloudflareTest(async ({ inject }) => {
      const upstreamUrl = inject("upstreamUrl");
      return {
        wrangler: { configPath: "./wrangler.toml" },
        miniflare: {
          bindings: {
            ...wranglerVars,
            TEST_MIGRATIONS: await readD1Migrations("./migrations"),
            JWT_SECRET: TEST_JWT_SECRET,
            OPENAI_API_KEY: "test-key",
            OPENAI_BASE_URL: `${upstreamUrl}/v1`,
            JWKS_URL: `${upstreamUrl}/.well-known/jwks.json`,
            CORS_ORIGINS: "https://app.example.edu",
            MAX_BODY_BYTES: "262144",
            // One priced catalogue entry, served by the scripted upstream under another name with its own key.
            MODELS: JSON.stringify([
              {
                name: "priced-echo",
                upstreamModel: "priced-echo-upstream",
                apiKeyVar: "CATALOGUE_TEST_KEY",
                inputUsdPerMTok: 2.5,
                outputUsdPerMTok: 10,
                contextTokens: 128000,
              },
            ]),
            CATALOGUE_TEST_KEY: "catalogue-key-0123456789",
            // Short enough that hang scenarios end quickly; every scripted stream is far faster.
            PROMPT_IDLE_TIMEOUT_MS: "1500",
          },
        },
      };
    }),
  ],
  test: {
    globalSetup: ["./test/upstream/global-setup.ts"],
    setupFiles: ["./test/helpers/apply-migrations.ts"],
    include: ["test/unit/**/*.test.ts", "test/integration/**/*.test.ts"],
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
