import { CacheSlot, type Deps } from '../deps.ts';
import { AppError } from '../errors.ts';
import { hashSecret, newId, newSecret } from '../ids.ts';
import { defaultSessionConfig, parseSessionConfig, type SessionConfig, type SessionConfigWire } from './config.ts';
import { sessionTools } from './tool-lists.ts';
import { authConfigsRepo } from '../../storage/repos/auth-configs.ts';
import { connectedAccountsRepo } from '../../storage/repos/connected-accounts.ts';
import { sessionsRepo, type SessionRow } from '../../storage/repos/sessions.ts';
import { sealed, sealedAad } from '../../storage/schema.ts';

const TOKEN_COLUMN = sealed('sessions', 'mcp_token_sealed');

export interface Session {
  row: SessionRow;
  config: SessionConfig;
}

function invalid(field: string, message: string): AppError {
  return new AppError('VALIDATION_FAILED', { message: `${field}: ${message}`, errors: [{ field, message }] });
}

/** Everything a session names must exist, and accounts must be the session user's own. */
async function validateConfig(deps: Deps, config: SessionConfig): Promise<void> {
  for (const slug of [...(config.toolkits.enabled ?? []), ...(config.toolkits.disabled ?? [])]) {
    if (!deps.catalogue.toolkit(slug)) throw invalid('toolkits', `unknown toolkit ${slug}`);
  }
  for (const [toolkit, sel] of Object.entries(config.tools)) {
    for (const slug of [...(sel.enabled ?? []), ...(sel.disabled ?? [])]) {
      const entry = deps.catalogue.tool(slug);
      if (!entry || entry.toolkit.slug !== toolkit) throw invalid(`tools.${toolkit}`, `unknown tool ${slug}`);
    }
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
    const row = await authConfigsRepo(deps.db).findById(id);
    if (!row || row.toolkit_slug !== toolkit) throw invalid(`auth_configs.${toolkit}`, `auth config ${id} is not a ${toolkit} auth config`);
  }
  for (const [toolkit, ids] of Object.entries(config.connectedAccounts)) {
    if (ids.length > 1 && !config.multiAccount.enabled)
      throw invalid(`connected_accounts.${toolkit}`, 'more than one account needs multi_account.enable');
    for (const id of ids) {
      const row = await connectedAccountsRepo(deps.db).findById(id);
      // another user's account is reported exactly like a missing one
      if (!row || row.user_id !== config.userId || row.toolkit_slug !== toolkit)
        throw invalid(`connected_accounts.${toolkit}`, `connected account ${id} was not found for this user and toolkit`);
    }
  }
}

export async function createSession(deps: Deps, userId: string, wire: SessionConfigWire): Promise<{ session: Session; token: string }> {
  const config = parseSessionConfig(wire, defaultSessionConfig(userId));
  await validateConfig(deps, config);
  const now = deps.clock.now();
  const id = newId('trs');
  const token = newSecret('lks');
  const row: SessionRow = {
    id,
    user_id: userId,
    config: JSON.stringify(config),
    config_version: 1,
    mcp_token_hash: hashSecret(token),
    mcp_token_sealed: deps.vault.seal(token, sealedAad(TOKEN_COLUMN, id)),
    created_at: now,
    updated_at: now,
  };
  await sessionsRepo(deps.db).insert(row);
  return { session: { row, config }, token };
}

// Parsed configs of recently used sessions. The row is still read on every call (a deleted session
// stops working at once, on every process); only parsing it again is saved, and with it the session's
// tool list (sessionTools), which is cached per config object. An entry is used only while the stored
// text is the same; it is frozen, since every request of the session shares it.
const PARSED_CONFIGS_KEPT = 1000;
const PARSED_CONFIGS = new CacheSlot('parsed session configs', () => new Map<string, { text: string; config: SessionConfig }>());

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}

export function loadSession(deps: Pick<Deps, 'caches'>, row: SessionRow): Session {
  const parsedConfigs = deps.caches.get(PARSED_CONFIGS);
  const kept = parsedConfigs.get(row.id);
  if (kept && kept.text === row.config) return { row, config: kept.config };
  const config = deepFreeze(JSON.parse(row.config) as SessionConfig);
  parsedConfigs.delete(row.id);
  parsedConfigs.set(row.id, { text: row.config, config });
  // Maps iterate in insertion order: the first key is the one parsed longest ago
  if (parsedConfigs.size > PARSED_CONFIGS_KEPT) parsedConfigs.delete(parsedConfigs.keys().next().value!);
  return { row, config };
}

export async function getSession(deps: Deps, id: string): Promise<Session> {
  const row = await sessionsRepo(deps.db).findById(id);
  if (!row) throw new AppError('SESSION_NOT_FOUND', { message: `Session ${id} was not found.` });
  return loadSession(deps, row);
}

export async function updateSession(deps: Deps, id: string, wire: SessionConfigWire, expectedVersion?: number): Promise<Session> {
  const current = await getSession(deps, id);
  if (expectedVersion !== undefined && expectedVersion !== current.row.config_version) {
    throw new AppError('SESSION_CONFIG_CONFLICT', {
      message: `Session ${id} is at config_version ${current.row.config_version}, not ${expectedVersion}.`,
    });
  }
  const config = parseSessionConfig(wire, current.config);
  await validateConfig(deps, config);
  const changes = { config: JSON.stringify(config), config_version: current.row.config_version + 1, updated_at: deps.clock.now() };
  if (!(await sessionsRepo(deps.db).updateIfVersion(id, current.row.config_version, changes))) {
    throw new AppError('SESSION_CONFIG_CONFLICT', { message: `Session ${id} was changed by another request; read it again and retry.` });
  }
  return { row: { ...current.row, ...changes }, config };
}

export async function deleteSession(deps: Deps, id: string): Promise<void> {
  if (!(await sessionsRepo(deps.db).delete(id))) throw new AppError('SESSION_NOT_FOUND', { message: `Session ${id} was not found.` });
}

export function sessionToken(deps: Deps, row: SessionRow): string {
  return deps.vault.open(row.mcp_token_sealed, sealedAad(TOKEN_COLUMN, row.id));
}

export async function sessionByToken(deps: Deps, token: string): Promise<SessionRow | undefined> {
  if (!/^lks_[A-Za-z0-9]{20,64}$/.test(token)) return undefined;
  return sessionsRepo(deps.db).findByTokenHash(hashSecret(token));
}
