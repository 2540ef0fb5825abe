import { isAbsolute, join, resolve } from 'node:path';
import { z } from 'zod';
import type { DatabaseLocation } from '../storage/db.ts';
import { isLoopbackHost } from './execution/address-policy.ts';
import { KeyRingError, parseKeyRing, type VaultKey } from './vault/key-ring.ts';

/**
 * The one configuration schema. Nothing else in latchkey reads `process.env`: the composition root
 * calls `parseConfig()` and passes the result down. Every variable is optional; a bad value stops
 * start-up with a message that names every bad variable (and never echoes a secret's value).
 */

export interface OAuthApp {
  clientId: string;
  clientSecret: string;
}

export interface Config {
  port: number;
  host: string;
  publicUrl: string;
  /**
   * false: LATCHKEY_PUBLIC_URL was not set and publicUrl is the default. Then an MCP URL is built on the
   * loopback origin a request came in on (mcpUrl in sessions/mcp-url.ts), so `localhost` and `127.0.0.1` clients both
   * get one on their own API origin.
   */
  publicUrlExplicit: boolean;
  dataDir: string;
  /** LATCHKEY_DATABASE_URL: PostgreSQL by URL, else the SQLite file (in the data directory by default) */
  database: DatabaseLocation;
  /** null: no key given, use (or create) the key file in the data directory. */
  encryptionKeys: VaultKey[] | null;
  apiKey: string | null;
  toolkitsDirs: string[];
  oauthApps: Record<string, OAuthApp>;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  maxBodyBytes: number;
  shutdownTimeoutMs: number;
  /** how long a client may take to send a whole request, headers and body (slow senders get 408) */
  requestTimeoutMs: number;
  toolTimeoutMs: number;
  refresh: { marginMs: number; intervalMs: number; idleMs: number };
  webhookIntervalMs: number;
  maxResponseBytes: number;
  /** Development and tests only: lets OAuth and tool calls reach http:// servers on loopback. */
  allowInsecureLoopback: boolean;
  /**
   * Lets tool calls, webhook deliveries and caller-given URLs reach private, link-local and loopback
   * addresses (an operator's internal API). Off, only public addresses are allowed, plus loopback
   * when allowInsecureLoopback is on.
   */
  allowPrivateNetwork: boolean;
  branding: { appTitle: string; logoUrl: string | null };
  /**
   * The app's verifier (Composio's "OAuth callback identity verification"): when set, a connection
   * made through a Connect Link waits, credentials held sealed, until the app names its user through
   * `complete_auth`. One project per installation, so this is the project's setting.
   */
  userVerifierUrl: string | null;
  /** how long an access token latchkey issues to an MCP client (OAuth 2.1) is valid */
  mcpAccessTokenTtlMs: number;
  /** operator console sign-ins: ended after `idleMs` without a request, and `maxAgeMs` after sign-in whatever happens */
  console: { idleMs: number; maxAgeMs: number };
  /** the execution and audit log: what of a call's payload is kept (masked, sealed), and for how long rows are kept */
  activityLog: { payloads: 'none' | 'arguments' | 'all'; retentionDays: number };
  /** the bearer token `/metrics` asks for; null: `/metrics` answers 404 */
  metricsToken: string | null;
}

export class ConfigError extends Error {
  override name = 'ConfigError';
  constructor(readonly problems: string[]) {
    // one problem is one line (what an operator reads first); several are listed one per line
    super(problems.length === 1 ? `invalid configuration: ${problems[0]}` : `invalid configuration:\n  ${problems.join('\n  ')}`);
  }
}

const optionalString = z
  .string()
  .transform((s) => s.trim())
  .optional()
  .transform((s) => (s ? s : undefined));

const flag = z
  .enum(['true', 'false', '1', '0'])
  .default('false')
  .transform((v) => v === 'true' || v === '1');

const envSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(8787),
  HOST: optionalString.default('127.0.0.1'),
  LATCHKEY_PUBLIC_URL: optionalString.pipe(z.url({ protocol: /^https?$/ }).optional()),
  LATCHKEY_DATA_DIR: optionalString.default('./.latchkey'),
  LATCHKEY_DATABASE_URL: optionalString,
  LATCHKEY_ENCRYPTION_KEY: optionalString,
  LATCHKEY_API_KEY: optionalString.pipe(
    z
      .string()
      .regex(/^ak_[A-Za-z0-9_-]{16,}$/, 'must be ak_ followed by at least 16 letters, digits, _ or -')
      .optional(),
  ),
  LATCHKEY_TOOLKITS_DIR: optionalString,
  LATCHKEY_LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  LATCHKEY_MAX_BODY_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .max(64 * 1024 * 1024)
    .default(1024 * 1024),
  LATCHKEY_REQUEST_TIMEOUT_MS: z.coerce.number().int().min(1000).max(600_000).default(30_000),
  LATCHKEY_SHUTDOWN_TIMEOUT_MS: z.coerce.number().int().min(0).max(600_000).default(10_000),
  LATCHKEY_APP_TITLE: optionalString.pipe(z.string().max(80).optional()),
  LATCHKEY_LOGO_URL: optionalString.pipe(z.url({ protocol: /^https?$/ }).optional()),
  LATCHKEY_REFRESH_MARGIN_MS: z.coerce.number().int().min(0).max(86_400_000).default(300_000),
  LATCHKEY_REFRESH_INTERVAL_MS: z.coerce.number().int().min(0).max(86_400_000).default(30_000),
  LATCHKEY_REFRESH_IDLE_MS: z.coerce
    .number()
    .int()
    .min(60_000)
    .max(30 * 86_400_000)
    .default(86_400_000),
  LATCHKEY_WEBHOOK_INTERVAL_MS: z.coerce.number().int().min(0).max(3_600_000).default(1000),
  LATCHKEY_TOOL_TIMEOUT_MS: z.coerce.number().int().min(100).max(600_000).default(30_000),
  LATCHKEY_MAX_RESPONSE_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .max(256 * 1024 * 1024)
    .default(5 * 1024 * 1024),
  LATCHKEY_ALLOW_INSECURE_LOOPBACK: flag,
  LATCHKEY_ALLOW_PRIVATE_NETWORK: flag,
  LATCHKEY_USER_VERIFIER_URL: optionalString.pipe(z.url({ protocol: /^https?$/ }).optional()),
  LATCHKEY_MCP_TOKEN_TTL_MS: z.coerce.number().int().min(1000).max(86_400_000).default(3_600_000),
  LATCHKEY_CONSOLE_IDLE_MS: z.coerce.number().int().min(1000).max(86_400_000).default(1_800_000),
  LATCHKEY_CONSOLE_MAX_AGE_MS: z.coerce
    .number()
    .int()
    .min(60_000)
    .max(30 * 86_400_000)
    .default(43_200_000),
  LATCHKEY_LOG_PAYLOADS: z.enum(['none', 'arguments', 'all']).default('none'),
  LATCHKEY_LOG_RETENTION_DAYS: z.coerce.number().int().min(1).max(3650).default(30),
  LATCHKEY_METRICS_TOKEN: optionalString.pipe(z.string().min(16, 'must be at least 16 characters').optional()),
});

/** The public URL when LATCHKEY_PUBLIC_URL is not set; with PORT=0 the server asks again with the port it got. */
export const defaultPublicUrl = (port: number) => `http://localhost:${port}`;

const OAUTH_VAR = /^LATCHKEY_OAUTH_([A-Z0-9_]+?)_CLIENT_(ID|SECRET)$/;

function collectOAuthApps(env: Record<string, string | undefined>, problems: string[]): Record<string, OAuthApp> {
  const partial = new Map<string, { id?: string; secret?: string }>();
  for (const [name, value] of Object.entries(env)) {
    const match = OAUTH_VAR.exec(name);
    if (!match || value === undefined || value.trim() === '') continue;
    const slug = match[1]!.toLowerCase();
    const entry = partial.get(slug) ?? {};
    if (match[2] === 'ID') entry.id = value.trim();
    else entry.secret = value.trim();
    partial.set(slug, entry);
  }
  const apps: Record<string, OAuthApp> = {};
  for (const [slug, { id, secret }] of partial) {
    const upper = slug.toUpperCase();
    if (!id) problems.push(`LATCHKEY_OAUTH_${upper}_CLIENT_ID: missing (LATCHKEY_OAUTH_${upper}_CLIENT_SECRET is set)`);
    else if (!secret) problems.push(`LATCHKEY_OAUTH_${upper}_CLIENT_SECRET: missing (LATCHKEY_OAUTH_${upper}_CLIENT_ID is set)`);
    else apps[slug] = { clientId: id, clientSecret: secret };
  }
  return apps;
}

/**
 * The verifier receives a single-use reference in its query: https only, so it never crosses a network
 * in clear; http only to loopback when LATCHKEY_ALLOW_INSECURE_LOOPBACK is on (development, tests). A
 * fragment would never reach the app's server, so it is refused rather than silently dropped.
 */
function verifierUrlProblem(url: string, allowInsecureLoopback: boolean): string | null {
  const parsed = new URL(url);
  if (parsed.hash) return 'must not have a #fragment';
  if (parsed.username || parsed.password) return 'must not carry a user name or password';
  if (parsed.protocol === 'http:' && !(allowInsecureLoopback && isLoopbackHost(parsed.hostname)))
    return 'must be https (http only to loopback with LATCHKEY_ALLOW_INSECURE_LOOPBACK=true)';
  return null;
}

/**
 * latchkey serves every page, OAuth endpoint and MCP URL from the root of its host (the hosted forms
 * post to `/…`, the issuer is an origin, RFC 8414 and RFC 9728 well-known paths sit at the root), so
 * a public URL with a path (a proxy mounting it under `/latchkey`) would advertise URLs that never
 * answer: refused at start-up instead.
 */
function publicUrlPathProblem(url: string): string | null {
  const parsed = new URL(url);
  if (parsed.pathname !== '/' || parsed.search || parsed.hash || parsed.username || parsed.password)
    return 'must be an origin only (scheme, host and port, no path): latchkey serves from the root of its host';
  return null;
}

/**
 * `postgres://` or `postgresql://` selects PostgreSQL; anything else is a SQLite path (`file:` prefix
 * optional). The URL may hold a password, so a problem names the variable and never its value.
 */
function databaseFrom(url: string | undefined, dataDir: string, problems: string[]): DatabaseLocation {
  if (!url) return { dialect: 'sqlite', path: join(dataDir, 'latchkey.db') };
  if (/^postgres(ql)?:/i.test(url)) {
    const parsed = /^postgres(ql)?:\/\//i.test(url) && URL.canParse(url) ? new URL(url) : null;
    if (!parsed || !(parsed.hostname || parsed.searchParams.get('host')))
      problems.push('LATCHKEY_DATABASE_URL: not a PostgreSQL URL (postgres://user:password@host:5432/database)');
    return { dialect: 'postgres', url };
  }
  const path = url.replace(/^(file|sqlite):(\/\/)?/i, '');
  if (!path) problems.push('LATCHKEY_DATABASE_URL: names no file');
  return { dialect: 'sqlite', path: isAbsolute(path) ? path : resolve(path) };
}

export function parseConfig(env: Record<string, string | undefined> = process.env): Config {
  const problems: string[] = [];
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) problems.push(`${issue.path.join('.')}: ${issue.message}`);
  }
  const oauthApps = collectOAuthApps(env, problems);
  let encryptionKeys: VaultKey[] | null = null;
  const keyText = env.LATCHKEY_ENCRYPTION_KEY?.trim();
  if (keyText) {
    try {
      encryptionKeys = parseKeyRing(keyText);
    } catch (error) {
      if (!(error instanceof KeyRingError)) throw error;
      problems.push(`LATCHKEY_ENCRYPTION_KEY: ${error.message}`);
    }
  }
  const database = parsed.success
    ? databaseFrom(parsed.data.LATCHKEY_DATABASE_URL, resolve(parsed.data.LATCHKEY_DATA_DIR), problems)
    : null;
  const publicUrl = parsed.success && parsed.data.LATCHKEY_PUBLIC_URL;
  const publicUrlProblem = publicUrl && publicUrlPathProblem(publicUrl);
  if (publicUrlProblem) problems.push(`LATCHKEY_PUBLIC_URL: ${publicUrlProblem}`);
  const verifier = parsed.success ? parsed.data.LATCHKEY_USER_VERIFIER_URL : undefined;
  const verifierProblem = verifier && verifierUrlProblem(verifier, parsed.data!.LATCHKEY_ALLOW_INSECURE_LOOPBACK);
  if (verifierProblem) problems.push(`LATCHKEY_USER_VERIFIER_URL: ${verifierProblem}`);
  if (!parsed.success || problems.length > 0) throw new ConfigError(problems);
  const e = parsed.data;
  return {
    port: e.PORT,
    host: e.HOST,
    // the origin in its one spelling (`https://LK.example:443/` is `https://lk.example`), so every URL
    // built from it (issuer, resource, MCP URL, links) compares equal to what clients parse it into
    publicUrl: new URL(e.LATCHKEY_PUBLIC_URL ?? defaultPublicUrl(e.PORT)).origin,
    publicUrlExplicit: e.LATCHKEY_PUBLIC_URL !== undefined,
    dataDir: resolve(e.LATCHKEY_DATA_DIR),
    database: database!,
    encryptionKeys,
    apiKey: e.LATCHKEY_API_KEY ?? null,
    toolkitsDirs: (e.LATCHKEY_TOOLKITS_DIR ?? '')
      .split(':')
      .filter(Boolean)
      .map((d) => resolve(d)),
    oauthApps,
    logLevel: e.LATCHKEY_LOG_LEVEL,
    maxBodyBytes: e.LATCHKEY_MAX_BODY_BYTES,
    shutdownTimeoutMs: e.LATCHKEY_SHUTDOWN_TIMEOUT_MS,
    requestTimeoutMs: e.LATCHKEY_REQUEST_TIMEOUT_MS,
    toolTimeoutMs: e.LATCHKEY_TOOL_TIMEOUT_MS,
    webhookIntervalMs: e.LATCHKEY_WEBHOOK_INTERVAL_MS,
    refresh: { marginMs: e.LATCHKEY_REFRESH_MARGIN_MS, intervalMs: e.LATCHKEY_REFRESH_INTERVAL_MS, idleMs: e.LATCHKEY_REFRESH_IDLE_MS },
    maxResponseBytes: e.LATCHKEY_MAX_RESPONSE_BYTES,
    allowInsecureLoopback: e.LATCHKEY_ALLOW_INSECURE_LOOPBACK,
    allowPrivateNetwork: e.LATCHKEY_ALLOW_PRIVATE_NETWORK,
    branding: { appTitle: e.LATCHKEY_APP_TITLE ?? 'latchkey', logoUrl: e.LATCHKEY_LOGO_URL ?? null },
    userVerifierUrl: e.LATCHKEY_USER_VERIFIER_URL ?? null,
    mcpAccessTokenTtlMs: e.LATCHKEY_MCP_TOKEN_TTL_MS,
    console: { idleMs: e.LATCHKEY_CONSOLE_IDLE_MS, maxAgeMs: e.LATCHKEY_CONSOLE_MAX_AGE_MS },
    activityLog: { payloads: e.LATCHKEY_LOG_PAYLOADS, retentionDays: e.LATCHKEY_LOG_RETENTION_DAYS },
    metricsToken: e.LATCHKEY_METRICS_TOKEN ?? null,
  };
}
