import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_PORT, DEVICE_CODE_TTL_SECONDS, DEVICE_POLL_INTERVAL_SECONDS } from '@codevf/protocol';

/** Resolved server settings (defaults applied). Every field can be set from the environment. */
export interface ServerConfig {
  host: string;
  port: number;
  dataDir: string;
  /** PostgreSQL URL; unset → the embedded SQLite file in dataDir. */
  databaseUrl?: string;
  /** PostgreSQL schema holding the tables (default: the connection's search_path, normally public). */
  databaseSchema?: string;
  /** Redis URL; unset → the in-process bus (one instance only). */
  redisUrl?: string;
  /** Address users reach the server at (OAuth issuer, verification URI); default: the bound address. */
  publicUrl?: string;
  /**
   * Which reverse proxies to believe about the client (X-Forwarded-For, -Proto): false (none,
   * the default), true (whoever connects: only when nothing but the proxy can reach the server),
   * or comma-separated addresses/CIDRs. Behind a TLS-terminating proxy it makes cookies `Secure`
   * and rate limits count per real client address.
   */
  trustProxy: boolean | string;
  /** Directory of the built console; missing → a placeholder page. */
  consoleDir: string;
  selfSignup: boolean;
  dev: boolean;
  accessTokenTtlSeconds: number;
  refreshTokenTtlSeconds: number;
  sessionTtlSeconds: number;
  deviceCodeTtlSeconds: number;
  devicePollIntervalSeconds: number;
  /** Sign-in attempts per email+IP per window, and wrong device codes per user per window. */
  loginAttemptsPerWindow: number;
  deviceCodeAttemptsPerWindow: number;
  /** Device authorizations (`codevf login` starts) per client address per window. */
  deviceAuthorizationsPerWindow: number;
  rateLimitWindowSeconds: number;
  /** How often expired device codes, sessions and tokens are deleted. */
  pruneIntervalSeconds: number;
  /** Largest JSON body accepted. */
  bodyLimitBytes: number;
  /** Largest snapshot or bundle upload. */
  uploadLimitBytes: number;
  /** Live sessions. */
  requestTtlSeconds: number;
  creditsPerMinute: number;
  heartbeatSeconds: number;
  /** Standing limits (each refused with E_LIMIT_REACHED). Requests of a task awaiting the customer's answer. */
  maxPendingRequestsPerTask: number;
  /** Tasks of one customer waiting in the queue at once. */
  maxQueuedTasksPerCustomer: number;
  /** Bytes of a queued task's transcript (its stored payloads); past it the customer waits for an engineer. */
  maxQueuedTranscriptBytes: number;
  /** Live sockets one account holds on one instance. */
  maxSocketsPerUser: number;
  /** A participant back within this many seconds counts as never gone (billing, presence). */
  presenceGraceSeconds: number;
  /**
   * A customer away this long ends their active task (`endedBy: "system"`): disconnected, or
   * never connected since the claim. A fraction is allowed (0.5 = 30 s), e.g. for tests.
   */
  customerGoneMinutes: number;
  /**
   * An agent-driven task's customer is present while their agent calls the task's API (events,
   * messages) at least this often; a wait in progress counts as a call lasting all its length.
   */
  agentPresenceSeconds: number;
  /** The AI participant; off unless aiBaseUrl and aiModel are both set. */
  ai: AiConfig;
}

/**
 * The AI participant's provider (any OpenAI-compatible Chat Completions API), its terms and its
 * per-task budget. `apiKey` is a secret: never logged, never in an event, error or /readyz.
 */
export interface AiConfig {
  /** e.g. http://127.0.0.1:11434/v1 (Ollama) or https://api.openai.com/v1. */
  baseUrl?: string;
  model?: string;
  apiKey?: string;
  /** Which of a project's allowed AI tools (`codevf init`) this model counts as. */
  vendor: 'claude' | 'gemini' | 'gpt' | 'other';
  /** The AI participant's display name. */
  name: string;
  freeMinutesPerDay: number;
  /** Price of an AI minute past the free allowance. */
  creditsPerMinute: number;
  /** Per-task budget: model calls, tokens (prompt + completion), minutes since the AI joined. */
  maxCallsPerTask: number;
  maxTokensPerTask: number;
  maxMinutesPerTask: number;
  /** One model call's time limit. */
  timeoutSeconds: number;
  /** How long an instance's hold on a task's AI lasts without renewal (another takes over after). */
  leaseSeconds: number;
  /**
   * Whether this instance drives AI tasks (calls the model). Off: it still creates, hands over
   * and bills AI tasks; other instances drive them. Tests of the server's side turn it off.
   */
  driver: boolean;
}

const AI_VENDORS = ['claude', 'gemini', 'gpt', 'other'] as const;

function aiVendor(v: string | undefined): AiConfig['vendor'] {
  if (v === undefined || v === '') return 'other';
  const vendor = v.toLowerCase();
  if (!(AI_VENDORS as readonly string[]).includes(vendor))
    throw new Error(`CODEVF_AI_VENDOR must be one of ${AI_VENDORS.join(', ')}, got ${JSON.stringify(v)}`);
  return vendor as AiConfig['vendor'];
}

/** Whether the server offers the AI participant at all. */
export function aiConfigured(ai: AiConfig): ai is AiConfig & { baseUrl: string; model: string } {
  return Boolean(ai.baseUrl && ai.model);
}

export type ServerConfigInput = Partial<ServerConfig>;

/**
 * The built server (dist/, also the published package) carries its own copy of the console in
 * dist/console; run from the sources, the server uses the console workspace's build.
 */
function defaultConsoleDir(): string {
  const bundled = fileURLToPath(new URL('./console', import.meta.url));
  return existsSync(join(bundled, 'index.html'))
    ? bundled
    : fileURLToPath(new URL('../../console/dist', import.meta.url));
}

const int = (v: string | undefined, fallback: number) => {
  if (v === undefined || v === '') return fallback;
  const n = Number(v);
  if (!Number.isFinite(n)) throw new Error(`expected a number, got ${JSON.stringify(v)}`);
  return n;
};
const bool = (v: string | undefined, fallback: boolean) =>
  v === undefined || v === '' ? fallback : ['1', 'true', 'yes', 'on'].includes(v.toLowerCase());

function trustProxy(v: string | undefined): boolean | string {
  if (v === undefined || v === '' || v === 'false') return false;
  if (v === 'true') return true;
  // Addresses and CIDRs, comma-separated; anything else would silently trust nobody.
  if (!/^[0-9a-fA-F.:/,\s]+$/.test(v) || /^\d+$/.test(v))
    throw new Error(`CODEVF_TRUST_PROXY must be true, false or proxy addresses/CIDRs, got ${JSON.stringify(v)}`);
  return v;
}

/** Defaults < environment (CODEVF_*, DATABASE_URL, REDIS_URL) < explicit overrides (flags, tests). */
export function resolveConfig(overrides: ServerConfigInput = {}, env: NodeJS.ProcessEnv = process.env): ServerConfig {
  const base: ServerConfig = {
    host: env.CODEVF_HOST || '127.0.0.1',
    port: int(env.CODEVF_PORT ?? env.PORT, DEFAULT_PORT),
    dataDir: resolve(env.CODEVF_DATA_DIR || '.codevf-data'),
    databaseUrl: env.DATABASE_URL || undefined,
    databaseSchema: env.CODEVF_DATABASE_SCHEMA || undefined,
    redisUrl: env.REDIS_URL || undefined,
    publicUrl: env.CODEVF_PUBLIC_URL || undefined,
    trustProxy: trustProxy(env.CODEVF_TRUST_PROXY),
    consoleDir: resolve(env.CODEVF_CONSOLE_DIR || defaultConsoleDir()),
    selfSignup: bool(env.CODEVF_SELF_SIGNUP, false),
    dev: false,
    accessTokenTtlSeconds: int(env.CODEVF_ACCESS_TOKEN_TTL, 15 * 60),
    refreshTokenTtlSeconds: int(env.CODEVF_REFRESH_TOKEN_TTL, 30 * 24 * 3600),
    sessionTtlSeconds: int(env.CODEVF_SESSION_TTL, 7 * 24 * 3600),
    deviceCodeTtlSeconds: int(env.CODEVF_DEVICE_CODE_TTL, DEVICE_CODE_TTL_SECONDS),
    devicePollIntervalSeconds: int(env.CODEVF_DEVICE_POLL_INTERVAL, DEVICE_POLL_INTERVAL_SECONDS),
    loginAttemptsPerWindow: int(env.CODEVF_LOGIN_ATTEMPTS, 10),
    deviceCodeAttemptsPerWindow: int(env.CODEVF_DEVICE_CODE_ATTEMPTS, 10),
    deviceAuthorizationsPerWindow: int(env.CODEVF_DEVICE_AUTHORIZATIONS, 20),
    rateLimitWindowSeconds: int(env.CODEVF_RATE_LIMIT_WINDOW, 300),
    pruneIntervalSeconds: int(env.CODEVF_PRUNE_INTERVAL, 15 * 60),
    bodyLimitBytes: int(env.CODEVF_BODY_LIMIT, 1024 * 1024),
    uploadLimitBytes: int(env.CODEVF_UPLOAD_LIMIT, 200 * 1024 * 1024),
    requestTtlSeconds: int(env.CODEVF_REQUEST_TTL, 120),
    creditsPerMinute: int(env.CODEVF_CREDITS_PER_MINUTE, 1),
    heartbeatSeconds: int(env.CODEVF_HEARTBEAT_SECONDS, 30),
    maxPendingRequestsPerTask: int(env.CODEVF_MAX_PENDING_REQUESTS, 20),
    maxQueuedTasksPerCustomer: int(env.CODEVF_MAX_QUEUED_TASKS, 5),
    maxQueuedTranscriptBytes: int(env.CODEVF_MAX_QUEUED_TRANSCRIPT_BYTES, 256 * 1024),
    maxSocketsPerUser: int(env.CODEVF_MAX_SOCKETS_PER_USER, 20),
    presenceGraceSeconds: int(env.CODEVF_PRESENCE_GRACE_SECONDS, 30),
    customerGoneMinutes: int(env.CODEVF_CUSTOMER_GONE_MINUTES, 5),
    agentPresenceSeconds: int(env.CODEVF_AGENT_PRESENCE_SECONDS, 90),
    ai: {
      baseUrl: env.CODEVF_AI_BASE_URL || undefined,
      model: env.CODEVF_AI_MODEL || undefined,
      apiKey: env.CODEVF_AI_API_KEY || undefined,
      vendor: aiVendor(env.CODEVF_AI_VENDOR),
      name: env.CODEVF_AI_NAME || 'CodeVF AI',
      freeMinutesPerDay: int(env.CODEVF_AI_FREE_MINUTES_PER_DAY, 30),
      creditsPerMinute: int(env.CODEVF_AI_CREDITS_PER_MINUTE, 1),
      maxCallsPerTask: int(env.CODEVF_AI_MAX_CALLS_PER_TASK, 60),
      maxTokensPerTask: int(env.CODEVF_AI_MAX_TOKENS_PER_TASK, 400_000),
      maxMinutesPerTask: int(env.CODEVF_AI_MAX_MINUTES_PER_TASK, 60),
      timeoutSeconds: int(env.CODEVF_AI_TIMEOUT_SECONDS, 60),
      leaseSeconds: int(env.CODEVF_AI_LEASE_SECONDS, 15),
      driver: bool(env.CODEVF_AI_DRIVER, true),
    },
  };
  const merged = { ...base };
  for (const [k, v] of Object.entries(overrides)) if (v !== undefined) (merged as Record<string, unknown>)[k] = v;
  if (!(merged.customerGoneMinutes > 0))
    throw new Error(
      `CODEVF_CUSTOMER_GONE_MINUTES must be above 0 (a fraction is allowed: 0.5 = 30 s); it is ${merged.customerGoneMinutes}.`,
    );
  if (!(merged.presenceGraceSeconds >= 0))
    throw new Error(`CODEVF_PRESENCE_GRACE_SECONDS must be 0 or more; it is ${merged.presenceGraceSeconds}.`);
  // Longer than the longest wait for events (55 s): an agent waiting is never taken for gone.
  if (!(Number.isInteger(merged.agentPresenceSeconds) && merged.agentPresenceSeconds >= MIN_AGENT_PRESENCE_SECONDS))
    throw new Error(
      `CODEVF_AGENT_PRESENCE_SECONDS must be a whole number of at least ${MIN_AGENT_PRESENCE_SECONDS}; it is ${merged.agentPresenceSeconds}.`,
    );
  return merged;
}

/** Above the longest wait of `GET /v1/tasks/:id/events` (55 s), with a margin for the next call. */
export const MIN_AGENT_PRESENCE_SECONDS = 60;
