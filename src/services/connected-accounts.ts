import { isCallbackUrl } from '../callback-url.ts';
import type { ToolkitFile } from '../catalogue/schema.ts';
import { CacheSlot, type Deps } from '../deps.ts';
import { recordAdminEvent, recordConnectionEvent } from './audit-log.ts';
import type { Actor } from './actor.ts';
import { AppError } from '../errors.ts';
import type { ToolConnection } from '../execution/connection.ts';
import { addressPolicy, urlRefusal, type AddressPolicy } from '../execution/address-policy.ts';
import { DNS_LABEL, HOST_SAFE } from '../execution/templates.ts';
import { hostLabelFields } from '../catalogue/lint.ts';
import { hashSecret, newId, newSecret } from '../ids.ts';
import { authConfigsRepo } from '../../storage/repos/auth-configs.ts';
import { connectLinksRepo } from '../../storage/repos/connect-links.ts';
import { cleanRefreshState, connectedAccountsRepo } from '../../storage/repos/connected-accounts.ts';
import { writeTransaction } from '../../storage/db.ts';
import { sealed, sealedAad, type Database } from '../../storage/schema.ts';
import type { Kysely } from 'kysely';
import { emitAccountEvent } from '../webhooks/events.ts';
import { fetchIdentity } from './account-identity.ts';
import { checkConnectionOwner } from './link-owner.ts';
import {
  credentialsOf,
  expireAbandonedAccounts,
  LINK_TTL_MS,
  LINKABLE_STATUSES,
  sealCredentials,
  STATUS_REASONS,
  withAbandonedExpired,
  type Credentials,
} from './account-state.ts';
import { appClientFor, getAuthConfig, schemeContext, toolkitOf } from './auth-configs.ts';
import { bindConnection, connectsBy, schemeFor, schemeModule } from '../schemes/registry.ts';
import { CredentialRejected, type Grant } from '../schemes/scheme.ts';
import type { AuthConfig, ConnectLink, ConnectedAccount } from '../../storage/domain.ts';

const LINK_TOKEN_COLUMN = sealed('connect_links', 'token_sealed');

export interface LinkRequest {
  authConfigId: string;
  userId: string;
  callbackUrl?: string;
  alias?: string;
  connectionData?: Record<string, string>;
  /** who asked (the audit log's actor); latchkey itself when not named */
  actor?: Actor;
}

export interface CreatedLink {
  account: ConnectedAccount;
  linkToken: string;
  redirectUrl: string;
  expiresAt: number;
}

function linkUrl(deps: Deps, token: string): string {
  return `${deps.config.publicUrl}/link/${token}`;
}

/** A stored link shown again: its token is kept sealed beside the hash for this. */
export function storedLink(deps: Deps, account: ConnectedAccount, link: ConnectLink): CreatedLink {
  const token = deps.vault.open(link.tokenSealed, sealedAad(LINK_TOKEN_COLUMN, link.id));
  return { account, linkToken: token, redirectUrl: linkUrl(deps, token), expiresAt: link.expiresAt };
}

export async function enabledConfig(deps: Deps, id: string): Promise<AuthConfig> {
  const config = await getAuthConfig(deps, id);
  if (config.status !== 'ENABLED') throw new AppError('AUTH_CONFIG_DISABLED', { message: `Auth config ${id} is disabled.` });
  return config;
}

/**
 * Connection fields (a subdomain, a site) are checked when given: known names only, and values that
 * cannot steer a request to another host (they end up in URLs).
 */
export function validateConnectionData(
  toolkit: ToolkitFile,
  data: Record<string, unknown> | undefined,
  policy: AddressPolicy,
): Record<string, string> {
  const out: Record<string, string> = {};
  const fields = toolkit.connection_fields ?? [];
  const labels = hostLabelFields(toolkit);
  for (const [name, value] of Object.entries(data ?? {})) {
    const field = fields.find((f) => f.name === name);
    if (!field) continue;
    const text = String(value ?? '').trim();
    if (text === '') continue;
    // a value that fills a host label must be one label, as fillBaseUrl will demand: refused here, at
    // connect time, rather than on every tool call after the account went ACTIVE
    const valid = field.type === 'url' ? /^https:\/\/[^\s/?#@]+\/?$/.test(text) : (labels.has(name) ? DNS_LABEL : HOST_SAFE).test(text);
    if (!valid || (field.pattern && !new RegExp(field.pattern).test(text))) {
      throw new AppError('VALIDATION_FAILED', {
        message: `${field.display_name} is not valid.`,
        errors: [{ field: `connection_data.${name}`, message: 'is not a valid value' }],
      });
    }
    const refused = field.type === 'url' ? urlRefusal(text, policy) : null;
    if (refused)
      throw new AppError('VALIDATION_FAILED', {
        message: `${field.display_name} ${refused}.`,
        errors: [{ field: `connection_data.${name}`, message: refused }],
      });
    out[name] = text;
  }
  return out;
}

/** A new single-use link for an account; it does not change the account's status. */
export async function issueLink(
  deps: Deps,
  account: ConnectedAccount,
  callbackUrl: string | undefined,
  db: Kysely<Database> = deps.db,
): Promise<CreatedLink> {
  checkConnectionOwner(deps, account.userId);
  const now = deps.clock.now();
  const token = newSecret('ln');
  const id = newId('lnk');
  const expiresAt = now + LINK_TTL_MS;
  await connectLinksRepo(db).insert({
    id,
    tokenHash: hashSecret(token),
    tokenSealed: deps.vault.seal(token, sealedAad(LINK_TOKEN_COLUMN, id)),
    connectedAccountId: account.id,
    userId: account.userId,
    authConfigId: account.authConfigId,
    callbackUrl: callbackUrl ?? null,
    stateHash: null,
    flowSealed: null,
    expiresAt: expiresAt,
    usedAt: null,
    createdAt: now,
  });
  return { account, linkToken: token, redirectUrl: linkUrl(deps, token), expiresAt };
}

export function checkCallbackUrl(url: string | null | undefined): string | undefined {
  if (url === undefined || url === null || url === '') return undefined;
  if (!isCallbackUrl(url)) {
    throw new AppError('VALIDATION_FAILED', {
      message: 'callback_url must be an absolute http(s) URL.',
      errors: [{ field: 'callback_url', message: 'must be an absolute http(s) URL' }],
    });
  }
  return new URL(url).href;
}

/** A new INITIATED account for a user, through an enabled auth config. */
export async function insertInitiatedAccount(
  deps: Deps,
  config: AuthConfig,
  toolkit: ToolkitFile,
  request: Pick<LinkRequest, 'userId' | 'alias' | 'actor'>,
  connectionData: Record<string, string>,
  db: Kysely<Database> = deps.db,
): Promise<ConnectedAccount> {
  checkConnectionOwner(deps, request.userId);
  const now = deps.clock.now();
  const account: ConnectedAccount = {
    id: newId('ca'),
    userId: request.userId,
    toolkitSlug: toolkit.slug,
    authConfigId: config.id,
    authScheme: config.authScheme,
    status: 'INITIATED',
    statusReason: null,
    alias: request.alias?.slice(0, 200) ?? null,
    isDisabled: false,
    connectionData,
    credentialsSealed: null,
    expiresAt: null,
    createdAt: now,
    updatedAt: now,
    ...cleanRefreshState(null),
  };
  await connectedAccountsRepo(db).insert(account);
  await recordConnectionEvent(deps, account, 'created', { auth_config_id: config.id }, { actor: request.actor, db });
  return account;
}

export async function createLink(deps: Deps, request: LinkRequest): Promise<CreatedLink> {
  const config = await enabledConfig(deps, request.authConfigId);
  const toolkit = toolkitOf(deps, config.toolkitSlug);
  const callbackUrl = checkCallbackUrl(request.callbackUrl);
  const account = await insertInitiatedAccount(
    deps,
    config,
    toolkit,
    request,
    validateConnectionData(toolkit, request.connectionData, addressPolicy(deps.config)),
  );
  return issueLink(deps, account, callbackUrl);
}

/** Checks the secret fields a scheme asks for; returns only the scheme's own fields. */
export function validateCredentialFields(toolkit: ToolkitFile, mode: string, given: Record<string, unknown>): Credentials {
  const scheme = schemeFor(toolkit, mode);
  if (!scheme) return {};
  const out: Credentials = {};
  const errors = [];
  for (const field of schemeModule(mode).connectionFields(scheme)) {
    const value = given[field.name];
    const text = typeof value === 'string' ? value.trim() : value === undefined || value === null ? '' : String(value);
    if (text === '') {
      if (field.required) errors.push({ field: field.name, message: `${field.display_name} is required` });
      continue;
    }
    if (text.length > 8192 || (field.pattern && !new RegExp(field.pattern).test(text))) {
      errors.push({ field: field.name, message: `${field.display_name} is not in the expected format` });
      continue;
    }
    out[field.name] = text;
  }
  if (errors.length > 0) throw new AppError('VALIDATION_FAILED', { message: errors.map((e) => e.message).join('; '), errors });
  return out;
}

// An account read from memory is the same frozen object call after call (storage/prepared.ts
// mapRemembered), and so is its auth config: its connection, and what the engine derives from that (the
// base URL, the mask list), is made once for them. A changed account (refreshed, reconnected) is a new object.
const CONNECTIONS = new CacheSlot(
  'connections of accounts',
  () => new WeakMap<ConnectedAccount, { config: AuthConfig; toolkit: ToolkitFile; connection: ToolConnection }>(),
);

/** The engine's view of an account: its opened secrets and connection fields (and OAuth1 consumer). */
export function toolConnection(deps: Deps, account: ConnectedAccount, config: AuthConfig, toolkit: ToolkitFile): ToolConnection {
  const made = deps.caches.get(CONNECTIONS);
  const kept = Object.isFrozen(account) ? made.get(account) : undefined;
  if (kept && kept.config === config && kept.toolkit === toolkit) return kept.connection;
  const connection = newToolConnection(deps, account, config, toolkit);
  if (Object.isFrozen(account)) made.set(account, { config, toolkit, connection });
  return connection;
}

function newToolConnection(deps: Deps, account: ConnectedAccount, config: AuthConfig, toolkit: ToolkitFile): ToolConnection {
  const connection: Omit<ToolConnection, 'inject'> = {
    mode: account.authScheme as ToolConnection['mode'],
    credentials: credentialsOf(deps, account),
    connectionData: account.connectionData,
  };
  if (schemeModule(account.authScheme).signsWithClient) {
    const client = appClientFor(deps, config, toolkit);
    connection.consumer = { key: client.clientId, secret: client.clientSecret };
  }
  return bindConnection(connection);
}

/**
 * Makes an account ACTIVE with new credentials, only from the status the caller read (INITIATED, or
 * EXPIRED for a reconnect), so a callback racing a revoke or a delete cannot resurrect the account;
 * then names it with the provider's identity.
 */
export async function activateAccount(
  deps: Deps,
  account: ConnectedAccount,
  credentials: Credentials,
  connectionData: Record<string, string>,
  expiresAt: number | null,
): Promise<ConnectedAccount> {
  const now = deps.clock.now();
  const changes = {
    status: 'ACTIVE',
    statusReason: null,
    isDisabled: false,
    credentialsSealed: sealCredentials(deps, account.id, credentials),
    connectionData,
    expiresAt,
    updatedAt: now,
    ...cleanRefreshState(now),
  };
  const changed =
    LINKABLE_STATUSES.includes(account.status) &&
    (await emitAccountEvent(deps, 'composio.connected_account.active', account.id, (trx) =>
      connectedAccountsRepo(trx).updateIfStatus(account.id, account.status, changes),
    ));
  if (!changed) {
    throw new AppError('CONNECTED_ACCOUNT_BAD_REQUEST', { message: 'This connection is no longer waiting to be completed.' });
  }
  const active = { ...account, ...changes };
  const toolkit = toolkitOf(deps, account.toolkitSlug);
  const config = await getAuthConfig(deps, account.authConfigId);
  const who = await fetchIdentity(deps, toolkit, toolConnection(deps, active, config, toolkit));
  if (who.ok && who.identity) {
    active.connectionData = { ...connectionData, identity: who.identity };
    await connectedAccountsRepo(deps.db).update(account.id, { connectionData: active.connectionData });
  }
  return active;
}

/** Marks a pending connection FAILED, only from the status the caller read (INITIATED, or EXPIRED for a reconnect). */
export async function failAccount(deps: Deps, accountId: string, reason: string, fromStatus = 'INITIATED'): Promise<void> {
  await emitAccountEvent(deps, 'composio.connected_account.failed', accountId, (trx) =>
    connectedAccountsRepo(trx).updateIfStatus(accountId, fromStatus, {
      status: 'FAILED',
      statusReason: reason.slice(0, 500),
      updatedAt: deps.clock.now(),
    }),
  );
}

/**
 * What the user typed, as it is stored: modes that trade it for a token (a signed assertion, a login)
 * do so first, so a refused key or password is answered at once and never stored.
 */
export async function formGrant(
  deps: Deps,
  config: AuthConfig,
  toolkit: ToolkitFile,
  given: Credentials,
  connectionData: Record<string, string>,
): Promise<Grant> {
  const module = schemeModule(config.authScheme);
  if (!module.exchange) return { credentials: given, expiresAt: null };
  try {
    return await module.exchange(schemeContext(deps, config, toolkit, connectionData), given);
  } catch (error) {
    if (error instanceof CredentialRejected) throw new AppError('CREDENTIALS_REJECTED', { message: error.message });
    throw error;
  }
}

export interface InitiateRequest extends LinkRequest {
  /** credentials given by the app for API key, bearer and basic schemes (`connection.state.val`) */
  credentials?: Record<string, unknown>;
  validateCredentials?: boolean;
}

/**
 * `POST /connected_accounts`: OAuth schemes start a link (INITIATED + redirect); credentials given by
 * the app make the account ACTIVE at once, optionally checked against the provider first.
 */
export async function initiateConnection(
  deps: Deps,
  request: InitiateRequest,
): Promise<{ account: ConnectedAccount; redirectUrl: string | null }> {
  const config = await enabledConfig(deps, request.authConfigId);
  const toolkit = toolkitOf(deps, config.toolkitSlug);
  const hasCredentials = request.credentials && Object.keys(request.credentials).length > 0;
  const connectBy = connectsBy(config.authScheme);
  if (connectBy === 'redirect' || (!hasCredentials && connectBy !== 'none')) {
    const link = await createLink(deps, request);
    return { account: link.account, redirectUrl: link.redirectUrl };
  }
  const { credentials: given = {}, ...rest } = request;
  const connectionData = validateConnectionData(toolkit, { ...rest.connectionData, ...given }, addressPolicy(deps.config));
  const grant = await formGrant(deps, config, toolkit, validateCredentialFields(toolkit, config.authScheme, given), connectionData);
  if (request.validateCredentials) {
    const probe = await fetchIdentity(
      deps,
      toolkit,
      bindConnection({ mode: config.authScheme as ToolConnection['mode'], credentials: grant.credentials, connectionData }),
    );
    if (!probe.ok)
      throw new AppError('CREDENTIALS_REJECTED', {
        message: `${toolkit.name} refused these credentials${probe.status ? ` (HTTP ${probe.status})` : ''}.`,
      });
  }
  const initiated = await insertInitiatedAccount(deps, config, toolkit, rest, connectionData);
  return { account: await activateAccount(deps, initiated, grant.credentials, connectionData, grant.expiresAt), redirectUrl: null };
}

/**
 * The link an INITIATED account waits on, as Composio shows it in `state.val.redirectUrl` (its SDK's
 * schema for an initiated OAuth connection requires it); null for any other status.
 */
export async function pendingRedirectUrl(deps: Deps, account: ConnectedAccount): Promise<string | null> {
  if (account.status !== 'INITIATED') return null;
  const link = await connectLinksRepo(deps.db).findLatestForAccount(account.id);
  return link ? storedLink(deps, account, link).redirectUrl : null;
}

/** An account as the API shows it (an abandoned INITIATED one is EXPIRED); reads only. */
export async function getAccount(deps: Deps, id: string): Promise<ConnectedAccount> {
  const account = await connectedAccountsRepo(deps.db).findById(id);
  if (!account) throw new AppError('CONNECTED_ACCOUNT_NOT_FOUND', { message: `Connected account ${id} was not found.` });
  return withAbandonedExpired(deps, account);
}

/** An account about to change: its derived expiry written first, so the change starts from what the API shows. */
async function accountToChange(deps: Deps, id: string): Promise<ConnectedAccount> {
  await expireAbandonedAccounts(deps);
  return getAccount(deps, id);
}

export async function setAccountEnabled(deps: Deps, id: string, enabled: boolean, actor: Actor): Promise<void> {
  const account = await accountToChange(deps, id);
  const changes: Partial<ConnectedAccount> = { isDisabled: !enabled, updatedAt: deps.clock.now() };
  if (!enabled && account.status === 'ACTIVE') Object.assign(changes, { status: 'INACTIVE', statusReason: STATUS_REASONS.USER_UPDATED });
  if (enabled && account.status === 'INACTIVE') Object.assign(changes, { status: 'ACTIVE', statusReason: null });
  await connectedAccountsRepo(deps.db).update(id, changes);
  await recordAdminEvent(
    deps,
    {
      action: `connected_account.${enabled ? 'enabled' : 'disabled'}`,
      subjectType: 'connected_account',
      subjectId: id,
      userId: account.userId,
      toolkitSlug: account.toolkitSlug,
    },
    actor,
  );
}

/** Revokes at the provider where the toolkit has an RFC 7009 endpoint; which tokens went is reported. */
async function revokeAtProvider(deps: Deps, account: ConnectedAccount): Promise<string[]> {
  const toolkit = toolkitOf(deps, account.toolkitSlug);
  const module = schemeModule(account.authScheme);
  if (!module.revoke || !schemeFor(toolkit, account.authScheme)) return [];
  const config = await authConfigsRepo(deps.db).findById(account.authConfigId);
  if (!config) return [];
  const context = schemeContext(deps, config, toolkit, account.connectionData, account.id);
  return module.revoke(context, credentialsOf(deps, account));
}

export async function deleteAccount(deps: Deps, id: string, actor: Actor): Promise<void> {
  const account = await accountToChange(deps, id);
  const revoked = await revokeAtProvider(deps, account);
  await connectedAccountsRepo(deps.db).delete(id);
  await recordConnectionEvent(deps, account, 'deleted', { revoked_at_provider: revoked }, { actor });
}

export async function revokeAccount(deps: Deps, id: string, actor: Actor): Promise<{ revokedTokens: string[]; account: ConnectedAccount }> {
  const account = await accountToChange(deps, id);
  if (!account.credentialsSealed)
    throw new AppError('REVOKE_NOT_SUPPORTED', { message: `Connected account ${id} holds no credentials to revoke.` });
  const revoked = await revokeAtProvider(deps, account);
  const changes = {
    status: 'REVOKED',
    statusReason: STATUS_REASONS.REVOKED_BY_USER,
    credentialsSealed: null,
    expiresAt: null,
    updatedAt: deps.clock.now(),
  };
  await connectedAccountsRepo(deps.db).update(id, changes);
  await recordConnectionEvent(deps, account, 'revoked', { revoked_at_provider: revoked }, { actor });
  return { revokedTokens: revoked.length > 0 ? revoked : ['credential'], account: { ...account, ...changes } };
}

/** The deprecated `refresh`: a new link for the account (reconnect), as Composio's SDK expects. */
export async function reconnectAccount(deps: Deps, id: string, callbackUrl: string | undefined, actor: Actor): Promise<CreatedLink> {
  // checked before anything changes: a refused URL must leave an EXPIRED account EXPIRED, with its reason
  const callback = checkCallbackUrl(callbackUrl);
  const account = await accountToChange(deps, id);
  const now = deps.clock.now();
  // one transaction: when the link is refused (with a verifier set, an account of the `default` user
  // cannot be connected) the account keeps its status rather than being left INITIATED with no link
  return writeTransaction(deps.db, async (trx) => {
    await connectedAccountsRepo(trx).update(id, { status: 'INITIATED', statusReason: null, updatedAt: now });
    // an ACTIVE account stops working until the new link completes: who asked for that is on record
    const change = { action: 'connected_account.reconnect_requested', subjectType: 'connected_account', subjectId: id };
    await recordAdminEvent(deps, { ...change, userId: account.userId, toolkitSlug: account.toolkitSlug }, actor, trx);
    return issueLink(deps, { ...account, status: 'INITIATED', updatedAt: now }, callback, trx);
  });
}
