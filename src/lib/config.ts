// Typed view of the Worker's vars (docs/api.md, "Limits and configuration"), parsed once per env object.

import { type AdminList, parseAdmins } from "./identity";
import { MCP_DEFAULTS, type McpConfig, parseMcpServers } from "./mcp-config";
import { type ModelCatalogue, parseCatalogue } from "./model-catalogue";

/** Sign-in with an OpenID provider (docs/deploy.md, "Sign-in"): set when OIDC_ISSUER and OIDC_CLIENT_ID are. */
export interface OidcConfig {
  issuer: string;
  clientId: string;
  /** OIDC_CLIENT_SECRET; absent for a public client (PKCE only). */
  clientSecret: string | undefined;
  /** Lower-cased email domains (or Google `hd`) allowed to sign in; empty: no domain rule. */
  allowedDomains: string[];
  /** Entra tenant ids (`tid`) allowed to sign in; empty: no tenant rule. */
  allowedTenants: string[];
}

/** Limits and settings the service runs with. */
export interface Config {
  maxExecutionMs: number;
  promptIdleTimeoutMs: number;
  /** Attempts per prompt, the first included: restarts after a mid-stream failure or an interruption. */
  promptMaxAttempts: number;
  maxConcurrentExecutions: number;
  /** A pending execution not started within this is expired (canceled) and holds no slot. */
  pendingTtlMs: number;
  /** Days an ended execution's record is kept before the daily clean-up deletes it (0: kept). */
  recordRetentionDays: number;
  /** A live run that stops renewing its lease (its object died and never came back) loses its slot after this. */
  executionLeaseMs: number;
  /** An agent step's tool call not decided within this is denied (by `timeout`). */
  approvalTimeoutMs: number;
  /** Executions one user may have waiting for approvals at once (past it a call is denied at once). */
  maxWaitingExecutions: number;
  maxBodyBytes: number;
  streamMaxConnectionMs: number;
  corsOrigins: string[];
  openaiBaseUrl: string;
  openaiApiKey: string;
  jwtSecret: string;
  jwksUrl: string | undefined;
  jwtIssuer: string | undefined;
  jwtAudience: string | undefined;
  oidc: OidcConfig | undefined;
  /** Lifetime of a sign-in session (the cookie's Max-Age and the session's expiry). */
  sessionTtlSeconds: number;
  /** ADMINS: user ids, or emails that count when verified. */
  admins: AdminList;
  /** GET /dev/token is enabled (local development only). */
  devTokens: boolean;
  /** Micro-dollars one user may spend per UTC day (0: no cap). */
  userDailyBudgetMicros: number;
  /** A call whose share of a budget cannot pay its input and this many output tokens is not made. */
  budgetMinOutputTokens: number;
  /** MODELS, with `demo`; ALLOW_UNLISTED_MODELS. */
  models: ModelCatalogue;
  /** MCP_SERVERS (with their headers), MCP_CALL_TIMEOUT_MS, MCP_RESULT_MAX_BYTES. */
  mcp: McpConfig;
  /** The Worker serves its offline demo MCP servers under /demo/mcp/ (local development only). */
  demoMcpServers: boolean;
}

export const DEFAULTS = {
  maxExecutionMs: 600_000,
  promptIdleTimeoutMs: 60_000,
  promptMaxAttempts: 3,
  maxConcurrentExecutions: 5,
  pendingTtlMs: 600_000,
  executionLeaseMs: 60_000,
  approvalTimeoutMs: 86_400_000,
  maxWaitingExecutions: 20,
  maxBodyBytes: 262_144,
  streamMaxConnectionMs: 300_000,
  openaiBaseUrl: "https://api.openai.com/v1",
  budgetMinOutputTokens: 16,
  sessionTtlSeconds: 28_800,
} as const;

const cache = new WeakMap<object, Config>();

function positiveInt(raw: string | undefined, fallback: number): number {
  const value = Number(raw);
  return raw !== undefined && raw.trim() !== "" && Number.isInteger(value) && value > 0 ? value : fallback;
}

function optional(raw: string | undefined): string | undefined {
  const value = raw?.trim();
  return value ? value : undefined;
}

const list = (raw: string | undefined): string[] =>
  (raw ?? "")
    .split(",")
    .map((item) => item.trim())
    .filter(Boolean);

function oidcConfig(env: Env): OidcConfig | undefined {
  const issuer = optional(env.OIDC_ISSUER);
  const clientId = optional(env.OIDC_CLIENT_ID);
  if (!issuer || !clientId) return undefined;
  const secret: unknown = Reflect.get(env, "OIDC_CLIENT_SECRET");
  return {
    issuer,
    clientId,
    clientSecret: typeof secret === "string" ? optional(secret) : undefined,
    allowedDomains: list(env.OIDC_ALLOWED_DOMAINS).map((domain) => domain.toLowerCase().replace(/^@/, "")),
    allowedTenants: list(env.OIDC_ALLOWED_TENANTS).map((tenant) => tenant.toLowerCase()),
  };
}

/** Reads the config from the Worker's env; the result is cached for that env object. */
export function getConfig(env: Env): Config {
  const cached = cache.get(env);
  if (cached) return cached;
  const secret = (name: string) => {
    const value: unknown = Reflect.get(env, name);
    return typeof value === "string" ? value : undefined;
  };
  const config: Config = {
    maxExecutionMs: positiveInt(env.MAX_EXECUTION_MS, DEFAULTS.maxExecutionMs),
    promptIdleTimeoutMs: positiveInt(env.PROMPT_IDLE_TIMEOUT_MS, DEFAULTS.promptIdleTimeoutMs),
    promptMaxAttempts: positiveInt(env.PROMPT_MAX_ATTEMPTS, DEFAULTS.promptMaxAttempts),
    maxConcurrentExecutions: positiveInt(env.MAX_CONCURRENT_EXECUTIONS, DEFAULTS.maxConcurrentExecutions),
    pendingTtlMs: positiveInt(env.PENDING_TTL_MS, DEFAULTS.pendingTtlMs),
    executionLeaseMs: positiveInt(env.EXECUTION_LEASE_MS, DEFAULTS.executionLeaseMs),
    approvalTimeoutMs: positiveInt(env.APPROVAL_TIMEOUT_MS, DEFAULTS.approvalTimeoutMs),
    maxWaitingExecutions: positiveInt(env.MAX_WAITING_EXECUTIONS, DEFAULTS.maxWaitingExecutions),
    recordRetentionDays: positiveInt(env.RECORD_RETENTION_DAYS, 0),
    maxBodyBytes: positiveInt(env.MAX_BODY_BYTES, DEFAULTS.maxBodyBytes),
    streamMaxConnectionMs: positiveInt(env.STREAM_MAX_CONNECTION_MS, DEFAULTS.streamMaxConnectionMs),
    corsOrigins: list(env.CORS_ORIGINS),
    openaiBaseUrl: optional(env.OPENAI_BASE_URL) ?? DEFAULTS.openaiBaseUrl,
    openaiApiKey: env.OPENAI_API_KEY ?? "",
    jwtSecret: env.JWT_SECRET ?? "",
    jwksUrl: optional(env.JWKS_URL),
    jwtIssuer: optional(env.JWT_ISSUER),
    jwtAudience: optional(env.JWT_AUDIENCE),
    oidc: oidcConfig(env),
    sessionTtlSeconds: positiveInt(env.SESSION_TTL_S, DEFAULTS.sessionTtlSeconds),
    admins: parseAdmins(env.ADMINS),
    devTokens: env.DEV_TOKENS === "true",
    userDailyBudgetMicros: positiveInt(env.USER_DAILY_BUDGET_MICROS, 0),
    budgetMinOutputTokens: positiveInt(env.BUDGET_MIN_OUTPUT_TOKENS, DEFAULTS.budgetMinOutputTokens),
    models: parseCatalogue({
      raw: env.MODELS,
      allowUnlisted: env.ALLOW_UNLISTED_MODELS?.trim().toLowerCase() !== "false",
      defaultBaseUrl: optional(env.OPENAI_BASE_URL) ?? DEFAULTS.openaiBaseUrl,
      secret,
    }),
    mcp: {
      servers: parseMcpServers({ raw: env.MCP_SERVERS, secret }),
      callTimeoutMs: positiveInt(env.MCP_CALL_TIMEOUT_MS, MCP_DEFAULTS.callTimeoutMs),
      resultMaxBytes: positiveInt(env.MCP_RESULT_MAX_BYTES, MCP_DEFAULTS.resultMaxBytes),
    },
    demoMcpServers: env.DEMO_MCP_SERVERS === "true",
  };
  cache.set(env, config);
  return config;
}
