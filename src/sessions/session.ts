import { CacheSlot, type Deps } from '../deps.ts';
import { AppError } from '../errors.ts';
import { hashSecret, newId, newSecret, presentedSecretHash } from '../ids.ts';
import { defaultSessionConfig, parseSessionConfig, type SessionConfig, type SessionConfigWire } from './config.ts';
import { TOOL_TAGS } from '../catalogue/schema.ts';
import { PROXY_TOOL } from './approval-policy.ts';
import { sessionTools } from './tool-lists.ts';
import { authConfigsRepo } from '../../storage/repos/auth-configs.ts';
import { connectedAccountsRepo } from '../../storage/repos/connected-accounts.ts';
import { sessionsRepo } from '../../storage/repos/sessions.ts';
import { mcpServersRepo } from '../../storage/repos/mcp-servers.ts';
import { sealed, sealedAad } from '../../storage/schema.ts';
import type { StoredSession } from '../../storage/domain.ts';
import { ParsedJsonCache } from '../../storage/parsed-json-cache.ts';

const TOKEN_COLUMN = sealed('sessions', 'mcp_token_sealed');

/** A session with its config parsed: the stored session as the feature reads it. */
export type Session = StoredSession<SessionConfig>;

function invalid(field: string, message: string): AppError {
  return new AppError('VALIDATION_FAILED', { message: `${field}: ${message}`, errors: [{ field, message }] });
}

/** Everything a session names must exist, and accounts must be the session user's own. */
async function validateConfig(deps: Deps, config: SessionConfig): Promise<void> {
  const { enabled = [], disabled = [], requireApproval = [] } = config.toolkits;
  for (const slug of [...enabled, ...disabled, ...requireApproval]) {
    if (!deps.catalogue.toolkit(slug)) throw invalid('toolkits', `unknown toolkit ${slug}`);
  }
  for (const [toolkit, sel] of Object.entries(config.tools)) {
    for (const slug of [...(sel.enabled ?? []), ...(sel.disabled ?? []), ...(sel.requireApproval ?? [])]) {
      const entry = deps.catalogue.tool(slug);
      if (!entry || entry.toolkit.slug !== toolkit) throw invalid(`tools.${toolkit}`, `unknown tool ${slug}`);
    }
  }
  // a mistyped tag or override key would silently ask nobody: refuse it instead
  const approvalTags = [
    ...(config.tags.requireApproval ?? []),
    ...Object.values(config.tools).flatMap((filter) => filter.tags?.requireApproval ?? []),
  ];
  const unknownTag = approvalTags.find((tag) => !(TOOL_TAGS as readonly string[]).includes(tag));
  if (unknownTag) throw invalid('require_approval', `unknown tag ${unknownTag}: tags are ${TOOL_TAGS.join(', ')}`);
  for (const key of Object.keys(config.permissions?.overrides ?? {})) {
    const tool = key.split(':')[0]!;
    if (!key.includes(':') || !(tool === '*' || tool === PROXY_TOOL || deps.catalogue.tool(tool)))
      throw invalid('experimental.permissions.overrides', `${key} is not TOOL:account (or *:account) of a known tool`);
  }
  if (config.preload === 'all' && !config.toolkits.enabled?.length) {
    throw invalid('preload.tools', '"all" needs a toolkit filter (toolkits: [...]); without one it would load every tool of the catalogue');
  }
  if (Array.isArray(config.preload)) {
    const allowed = new Set(sessionTools(deps, config).map((e) => e.tool.slug));
    const unknown = config.preload.find((slug) => !allowed.has(slug));
    if (unknown) throw invalid('preload.tools', `${unknown} is not a tool of this session (check its toolkit, tool and tag filters)`);
  }
  for (const [toolkit, id] of Object.entries(config.authConfigs)) {
    const found = await authConfigsRepo(deps.db).findById(id);
    if (!found || found.toolkitSlug !== toolkit)
      throw invalid(`auth_configs.${toolkit}`, `auth config ${id} is not a ${toolkit} auth config`);
  }
  for (const [toolkit, ids] of Object.entries(config.connectedAccounts)) {
    if (ids.length > 1 && !config.multiAccount.enabled)
      throw invalid(`connected_accounts.${toolkit}`, 'more than one account needs multi_account.enable');
    for (const id of ids) {
      const account = await connectedAccountsRepo(deps.db).findById(id);
      // another user's account is reported exactly like a missing one
      if (!account || account.userId !== config.userId || account.toolkitSlug !== toolkit)
        throw invalid(`connected_accounts.${toolkit}`, `connected account ${id} was not found for this user and toolkit`);
    }
  }
}

/** A new session of a config already checked, with its MCP token (stored by hash, and sealed); not stored yet. */
export function newSession(deps: Pick<Deps, 'clock' | 'vault'>, config: SessionConfig): { session: Session; token: string } {
  const now = deps.clock.now();
  const id = newId('trs');
  const token = newSecret('lks');
  const session: Session = {
    id,
    userId: config.userId,
    config,
    configVersion: 1,
    mcpTokenHash: hashSecret(token),
    mcpTokenSealed: deps.vault.seal(token, sealedAad(TOKEN_COLUMN, id)),
    createdAt: now,
    updatedAt: now,
  };
  return { session, token };
}

export async function createSession(deps: Deps, userId: string, wire: SessionConfigWire): Promise<{ session: Session; token: string }> {
  const config = parseSessionConfig(wire, defaultSessionConfig(userId));
  await validateConfig(deps, config);
  const created = newSession(deps, config);
  await sessions(deps).insert(created.session);
  return created;
}

// Parsed configs of recently used sessions, one frozen object per stored text (the repo parses, this
// app keeps them). The row is still read on every call (a deleted session stops working at once, on
// every process); only parsing it again is saved, and with it the session's tool list (sessionTools),
// which is cached per config object.
const PARSED_CONFIGS = new CacheSlot('parsed session configs', () => new ParsedJsonCache(1000));

const sessions = (deps: Pick<Deps, 'db' | 'caches'>) => sessionsRepo(deps.db, deps.caches.get(PARSED_CONFIGS));

export async function getSession(deps: Pick<Deps, 'db' | 'caches'>, id: string): Promise<Session> {
  const session = (await sessions(deps).findById(id)) as Session | undefined;
  if (!session) throw new AppError('SESSION_NOT_FOUND', { message: `Session ${id} was not found.` });
  return session;
}

/**
 * An MCP server's instance session has one writer, its server (whose update rewrites its config and
 * whose deletion deletes it): the sessions API neither changes nor deletes it.
 */
async function refuseInstanceSession(deps: Pick<Deps, 'db'>, id: string): Promise<void> {
  const instance = await mcpServersRepo(deps.db).instanceOfSession(id);
  if (instance)
    throw new AppError('MCP_SERVER_INSTANCE_SESSION', {
      message: `Session ${id} follows MCP server ${instance.serverId} (user ${instance.userId}); change the server.`,
    });
}

export async function updateSession(deps: Deps, id: string, wire: SessionConfigWire, expectedVersion?: number): Promise<Session> {
  const current = await getSession(deps, id);
  await refuseInstanceSession(deps, id);
  if (expectedVersion !== undefined && expectedVersion !== current.configVersion) {
    throw new AppError('SESSION_CONFIG_CONFLICT', {
      message: `Session ${id} is at config_version ${current.configVersion}, not ${expectedVersion}.`,
    });
  }
  const config = parseSessionConfig(wire, current.config);
  await validateConfig(deps, config);
  const changes = { config, configVersion: current.configVersion + 1, updatedAt: deps.clock.now() };
  if (!(await sessions(deps).updateIfVersion(id, current.configVersion, changes))) {
    throw new AppError('SESSION_CONFIG_CONFLICT', { message: `Session ${id} was changed by another request; read it again and retry.` });
  }
  return { ...current, ...changes };
}

export async function deleteSession(deps: Deps, id: string): Promise<void> {
  await refuseInstanceSession(deps, id);
  if (!(await sessionsRepo(deps.db).delete(id))) throw new AppError('SESSION_NOT_FOUND', { message: `Session ${id} was not found.` });
}

export function sessionToken(deps: Deps, session: Session): string {
  return deps.vault.open(session.mcpTokenSealed, sealedAad(TOKEN_COLUMN, session.id));
}

export async function sessionByToken(deps: Deps, token: string): Promise<Session | undefined> {
  if (!/^lks_[A-Za-z0-9]{20,64}$/.test(token)) return undefined;
  return (await sessions(deps).findByTokenHash(presentedSecretHash(token))) as Session | undefined;
}

/** The session an OAuth access token (latchkey as authorization server) opens, while it is live; one read. */
export async function sessionByAccessToken(deps: Deps, token: string): Promise<Session | undefined> {
  if (!ACCESS_TOKEN_SHAPE.test(token)) return undefined;
  return (await sessions(deps).findByAccessTokenHash(presentedSecretHash(token), deps.clock.now())) as Session | undefined;
}

/** Access tokens latchkey issues to MCP clients: `lka_` and 32 base62 characters (`newSecret`). */
export const ACCESS_TOKEN_PREFIX = 'lka';
const ACCESS_TOKEN_SHAPE = /^lka_[A-Za-z0-9]{32}$/;
