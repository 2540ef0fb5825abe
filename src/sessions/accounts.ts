import type { ToolkitFile } from '../catalogue/schema.ts';
import { isNoAuth } from '../schemes/registry.ts';
import type { Deps } from '../deps.ts';
import { AppError } from '../errors.ts';
import type { SessionConfig } from './config.ts';
import { connectedAccountsRepo } from '../../storage/repos/connected-accounts.ts';
import { ensureDefaultAuthConfig } from '../services/auth-configs.ts';
import { enabledConfig, type CreatedLink } from '../services/connected-accounts.ts';
import { linkForUser } from '../services/connection-links.ts';
import { connectionFor, resolveAccount, type ResolvedConnection } from '../services/tool-execution.ts';
import type { ConnectedAccount } from '../../storage/domain.ts';

/**
 * Accounts as a session sees them. The user is the session's; pinned accounts and auth config
 * overrides narrow which of that user's accounts a call may use. Nothing here takes a user id from a
 * tool argument.
 */

/** The session user's usable (ACTIVE, enabled) accounts of a toolkit, honouring pins and overrides. */
export async function usableAccounts(deps: Deps, config: SessionConfig, toolkit: ToolkitFile): Promise<ConnectedAccount[]> {
  return connectedAccountsRepo(deps.db).listUsable(config.userId, toolkit.slug, usableFilter(config, toolkit));
}

const usableFilter = (config: SessionConfig, toolkit: ToolkitFile) => ({
  ids: config.connectedAccounts[toolkit.slug],
  authConfigId: config.authConfigs[toolkit.slug],
});

/**
 * The toolkits the session user has connected (an ACTIVE, enabled account), for ranking only: pins and
 * auth config overrides are not applied, since a preference never decides which account a call uses.
 */
export async function connectedToolkits(deps: Deps, config: SessionConfig): Promise<Set<string>> {
  return new Set(await connectedAccountsRepo(deps.db).activeToolkits(config.userId));
}

export type SessionConnection =
  | ResolvedConnection
  | { notConnected: true; toolkit: ToolkitFile }
  | { chooseAccount: ConnectedAccount[]; toolkit: ToolkitFile };

/**
 * Which connection a session call runs with. `account` (an id or alias) picks one of the user's own
 * usable accounts; otherwise the newest usable one, unless multi-account mode demands a choice.
 */
export async function resolveSessionConnection(
  deps: Deps,
  config: SessionConfig,
  toolkit: ToolkitFile,
  account?: string,
): Promise<SessionConnection> {
  if (isNoAuth(toolkit)) return resolveAccount(deps, toolkit, { userId: config.userId });
  // with their auth configs, in the same statement: the call needs the chosen one's
  const usable = await connectedAccountsRepo(deps.db).listUsableWithAuthConfig(config.userId, toolkit.slug, usableFilter(config, toolkit));
  if (account) {
    const chosen = usable.find(({ account: a }) => a.id === account || a.alias === account || a.connectionData.identity === account);
    if (!chosen)
      throw new AppError('CONNECTED_ACCOUNT_NOT_FOUND', { message: `No usable ${toolkit.name} account "${account}" for this user.` });
    // the rows just read are the user's own, ACTIVE and enabled: no second read by id
    return connectionFor(deps, toolkit, chosen.account, chosen);
  }
  if (usable.length === 0) return { notConnected: true, toolkit };
  if (usable.length > 1 && config.multiAccount.enabled && config.multiAccount.requireExplicitSelection)
    return { chooseAccount: usable.map((u) => u.account), toolkit };
  try {
    return await connectionFor(deps, toolkit, usable[0]!.account, usable[0]!);
  } catch (error) {
    // the account expired while refreshing on use: the agent gets a reconnect link, not an error
    if (error instanceof AppError && error.code === 'NO_CONNECTED_ACCOUNT') return { notConnected: true, toolkit };
    throw error;
  }
}

/**
 * A Connect Link for the session user and a toolkit, through the session's auth config override or the
 * default one; the user's pending connection is re-used (linkForUser). `reinitiate` is the app's
 * explicit session.authorize; an alias asks for another account.
 */
export async function authorizeToolkit(
  deps: Deps,
  config: SessionConfig,
  toolkit: ToolkitFile,
  options: { callbackUrl?: string | null; alias?: string; reinitiate?: boolean } = {},
): Promise<CreatedLink> {
  if (isNoAuth(toolkit)) throw new AppError('CONNECTED_ACCOUNT_BAD_REQUEST', { message: `${toolkit.name} needs no connection.` });
  const override = config.authConfigs[toolkit.slug];
  const authConfig = await enabledConfig(deps, override ?? (await ensureDefaultAuthConfig(deps, toolkit.slug)).id);
  return linkForUser(deps, {
    userId: config.userId,
    toolkit,
    authConfig,
    onlyAuthConfigId: override,
    onlyAccountIds: config.connectedAccounts[toolkit.slug],
    callbackUrl: options.callbackUrl ?? config.manageConnections.callbackUrl,
    alias: options.alias,
    newAccount: options.alias !== undefined,
    reinitiate: options.reinitiate,
  });
}

/** The newest account of any status, for connection status reports (INITIATED, FAILED …). */
export async function latestAccount(deps: Deps, config: SessionConfig, toolkit: ToolkitFile): Promise<ConnectedAccount | undefined> {
  const { accounts } = await connectedAccountsRepo(deps.db).list({
    userIds: [config.userId],
    toolkitSlugs: [toolkit.slug],
    orderBy: 'updatedAt',
    direction: 'desc',
    offset: 0,
    limit: 1,
  });
  return accounts[0];
}
