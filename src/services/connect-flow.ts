import { connectionResultUrl } from '../callback-url.ts';
import type { FieldDefinition, ToolkitFile } from '../catalogue/schema.ts';
import type { Deps } from '../deps.ts';
import { AppError } from '../errors.ts';
import { hashSecret, newSecret, sameSecret } from '../ids.ts';
import { addressPolicy } from '../execution/address-policy.ts';
import { OAuthFlowError } from '../oauth/client.ts';
import { isRedirectMode, schemeFor, schemeModule } from '../schemes/registry.ts';
import { authConfigsRepo } from '../../storage/repos/auth-configs.ts';
import { connectLinksRepo } from '../../storage/repos/connect-links.ts';
import { connectedAccountsRepo } from '../../storage/repos/connected-accounts.ts';
import { sealed, sealedAad } from '../../storage/schema.ts';
import { LINKABLE_STATUSES, STATUS_REASONS } from './account-state.ts';
import { schemeContext, toolkitOf } from './auth-configs.ts';
import { activateAccount, failAccount, formGrant, validateConnectionData, validateCredentialFields } from './connected-accounts.ts';
import { callbackUrl } from './oauth-endpoints.ts';
import { holdConnection, verificationRequired, type ConnectionGrant } from './user-verification.ts';
import type { AuthConfig, ConnectLink, ConnectedAccount } from '../../storage/domain.ts';

/**
 * The hosted Connect Link flow: a link token opens a page; OAuth goes to the provider with PKCE S256
 * and a random state held server-side (by hash), bound to the browser that started it by a cookie;
 * the callback consumes the link atomically, exchanges the code, and activates the account. A link
 * acts only on its own account, so one user's link can never touch another user's.
 */

const FLOW_COLUMN = sealed('connect_links', 'flow_sealed');

export type LinkProblem = 'unknown' | 'expired' | 'used' | 'not_pending';

/** A link that cannot be used, with what is known of it: the page still names the toolkit and offers the way back to the app. */
export interface LinkTrouble {
  problem: LinkProblem;
  link?: ConnectLink;
  toolkit?: ToolkitFile;
}

export interface OpenLink {
  link: ConnectLink;
  account: ConnectedAccount;
  config: AuthConfig;
  toolkit: ToolkitFile;
}

/** Sealed with the link between the redirect and the callback: the scheme's own state, and the browser's nonce hash. */
interface FlowState {
  flow: Record<string, unknown>;
  browser_hash: string;
}

export type FlowOutcome =
  | { status: 'success'; account: ConnectedAccount; toolkit: ToolkitFile; redirectTo: string | null }
  /** held for the app's verifier (LATCHKEY_USER_VERIFIER_URL): the browser goes there */
  | { status: 'verifying'; account: ConnectedAccount; toolkit: ToolkitFile; redirectTo: string }
  /** `denied`: the person said no at the provider; otherwise the provider or the exchange failed (the detail is in `reason`) */
  | { status: 'failed'; account: ConnectedAccount; toolkit: ToolkitFile; redirectTo: string | null; reason: string; denied: boolean };

export async function openLink(deps: Deps, token: string): Promise<OpenLink | LinkTrouble> {
  if (!/^ln_[A-Za-z0-9]{20,64}$/.test(token)) return { problem: 'unknown' };
  const link = await connectLinksRepo(deps.db).findByTokenHash(hashSecret(token));
  if (!link) return { problem: 'unknown' };
  const account = await connectedAccountsRepo(deps.db).findById(link.connectedAccountId);
  const toolkit = account ? deps.catalogue.toolkit(account.toolkitSlug) : undefined;
  if (link.usedAt !== null) return { problem: 'used', link, toolkit };
  if (link.expiresAt <= deps.clock.now()) return { problem: 'expired', link, toolkit };
  if (!account || !LINKABLE_STATUSES.includes(account.status)) return { problem: 'not_pending', link, toolkit };
  const config = await authConfigsRepo(deps.db).findById(account.authConfigId);
  if (!config || config.status !== 'ENABLED') return { problem: 'not_pending', link, toolkit };
  return { link, account, config, toolkit: toolkitOf(deps, account.toolkitSlug) };
}

export const isLinkTrouble = (open: OpenLink | LinkTrouble): open is LinkTrouble => 'problem' in open;

export function appCallbackUrl(link: ConnectLink, status: 'success' | 'failed'): string | null {
  return connectionResultUrl(link.callbackUrl, link.connectedAccountId, status);
}

/** Required connection fields (a subdomain) the account does not have yet: the page asks for them first. */
export function missingConnectionFields(open: OpenLink) {
  const data = open.account.connectionData;
  return (open.toolkit.connection_fields ?? []).filter((f) => f.required && !data[f.name]);
}

/**
 * What the Connect page shows for a link: a redirect mode asks only for missing connection fields and
 * then goes to the provider (`redirectTo`, the URL template, for the page's CSP); a form mode asks for
 * the connection fields and the scheme's own.
 */
export function linkPage(open: OpenLink): { redirect: boolean; fields: FieldDefinition[]; redirectTo?: string } {
  const module = schemeModule(open.account.authScheme);
  const scheme = schemeFor(open.toolkit, open.account.authScheme);
  if (module.connectBy === 'redirect')
    return { redirect: true, fields: missingConnectionFields(open), redirectTo: scheme && module.authorizationUrl?.(scheme) };
  return { redirect: false, fields: [...(open.toolkit.connection_fields ?? []), ...(scheme ? module.connectionFields(scheme) : [])] };
}

export const isRedirectLink = (open: OpenLink) => isRedirectMode(open.account.authScheme);

/** Stores connection fields typed on the page (OAuth toolkits that need a subdomain before redirecting). */
export async function saveConnectionFields(deps: Deps, open: OpenLink, form: Record<string, string>): Promise<OpenLink> {
  const data = { ...open.account.connectionData, ...validateConnectionData(open.toolkit, form, addressPolicy(deps.config)) };
  const missing = (open.toolkit.connection_fields ?? []).filter((f) => f.required && !data[f.name]);
  if (missing.length > 0)
    throw new AppError('VALIDATION_FAILED', { message: `${missing.map((f) => f.display_name).join(', ')} is required.` });
  await connectedAccountsRepo(deps.db).update(open.account.id, { connectionData: data });
  return { ...open, account: { ...open.account, connectionData: data } };
}

/**
 * Starts a redirect flow for a link (OAuth2, OAuth 1.0a: the scheme decides): the value the provider
 * echoes back is held by hash (a new one replaces any earlier, so only the newest redirect can
 * complete), the scheme's flow state sealed with the link, and a browser nonce for the cookie.
 */
export async function beginRedirect(deps: Deps, open: OpenLink): Promise<{ url: URL; browserNonce: string }> {
  const module = schemeModule(open.account.authScheme);
  if (!module.begin || !schemeFor(open.toolkit, open.account.authScheme)) {
    throw new AppError('CONNECTED_ACCOUNT_BAD_REQUEST', { message: 'This link is not a sign-in at the provider.' });
  }
  const context = schemeContext(deps, open.config, open.toolkit, open.account.connectionData, open.account.id);
  const start = await module.begin(context, context.client().redirectUri ?? callbackUrl(deps));
  const browserNonce = newSecret('lkb');
  const flow: FlowState = { flow: start.flow, browser_hash: hashSecret(browserNonce) };
  await connectLinksRepo(deps.db).update(open.link.id, {
    stateHash: hashSecret(start.state),
    flowSealed: deps.vault.sealJson(flow, sealedAad(FLOW_COLUMN, open.link.id)),
  });
  return { url: start.url, browserNonce };
}

export type CallbackProblem = 'unknown_state' | 'used_state' | 'expired' | 'other_browser';

interface TakenLink {
  link: ConnectLink;
  account: ConnectedAccount;
  config: AuthConfig;
  toolkit: ToolkitFile;
  flow: FlowState;
}

/**
 * Finds the link a callback belongs to by the hash of its state (OAuth2 `state`, OAuth1 request
 * token), checks it was started in this browser, and takes it exactly once.
 */
async function takeLink(
  deps: Deps,
  stateValue: string | null,
  browserNonceFor: (linkId: string) => string | undefined,
): Promise<TakenLink | CallbackProblem> {
  if (!stateValue || stateValue.length > 512) return 'unknown_state';
  const stateHash = hashSecret(stateValue);
  const links = connectLinksRepo(deps.db);
  const found = await links.findByStateHash(stateHash);
  if (!found || !found.flowSealed) return 'unknown_state';
  if (found.usedAt !== null) return 'used_state';
  const flow = deps.vault.openJson<FlowState>(found.flowSealed, sealedAad(FLOW_COLUMN, found.id));
  const nonce = browserNonceFor(found.id);
  if (!nonce || !sameSecret(hashSecret(nonce), flow.browser_hash)) return 'other_browser';
  const link = await links.consumeByStateHash(stateHash, deps.clock.now());
  if (!link) return 'used_state';
  const account = await connectedAccountsRepo(deps.db).findById(link.connectedAccountId);
  const config = account && (await authConfigsRepo(deps.db).findById(account.authConfigId));
  if (!account || !config || !LINKABLE_STATUSES.includes(account.status)) return 'used_state';
  if (link.expiresAt <= deps.clock.now()) return 'expired';
  return { link, account, config, toolkit: toolkitOf(deps, account.toolkitSlug), flow };
}

async function failed(deps: Deps, taken: TakenLink, error: unknown): Promise<FlowOutcome> {
  const denied = error instanceof OAuthFlowError && error.error === 'access_denied';
  const reason =
    error instanceof OAuthFlowError
      ? denied
        ? `The user denied access (access_denied${error.description ? `: ${error.description}` : ''})`
        : `${STATUS_REASONS.CALLBACK_FAILED}: ${error.message}`
      : error instanceof AppError
        ? error.message
        : STATUS_REASONS.CALLBACK_FAILED;
  if (!(error instanceof OAuthFlowError) && !(error instanceof AppError)) {
    deps.log.error({ err: { name: (error as Error).name, stack: (error as Error).stack } }, 'connect callback failed');
  }
  await failAccount(deps, taken.account.id, reason);
  return {
    status: 'failed',
    account: { ...taken.account, status: 'FAILED', statusReason: reason },
    toolkit: taken.toolkit,
    redirectTo: appCallbackUrl(taken.link, 'failed'),
    reason,
    denied,
  };
}

/** The provider's return, OAuth2 (`state`, `code`) or OAuth 1.0a (`oauth_token`, `oauth_verifier`). */
export async function completeCallback(
  deps: Deps,
  callback: URL,
  browserNonceFor: (linkId: string) => string | undefined,
): Promise<FlowOutcome | CallbackProblem> {
  const oauth1Token = callback.searchParams.get('oauth_token');
  const state = callback.searchParams.get('state') ?? (oauth1Token && !callback.searchParams.has('code') ? oauth1Token : null);
  const taken = await takeLink(deps, state, browserNonceFor);
  if (typeof taken === 'string') return taken;
  try {
    return await settle(deps, taken, await finishRedirect(deps, taken, callback, state!));
  } catch (error) {
    return failed(deps, taken, error);
  }
}

/** The provider's answer, exchanged by the account's scheme. */
async function finishRedirect(deps: Deps, taken: TakenLink, callback: URL, state: string): Promise<ConnectionGrant> {
  const connectionData = taken.account.connectionData;
  const module = schemeModule(taken.account.authScheme);
  if (!module.complete) throw new AppError('CONNECTED_ACCOUNT_BAD_REQUEST', { message: 'This link is not a sign-in at the provider.' });
  const grant = await module.complete(
    schemeContext(deps, taken.config, taken.toolkit, connectionData, taken.account.id),
    callback,
    state,
    taken.flow.flow,
  );
  return { credentials: grant.credentials, connectionData: { ...connectionData, ...grant.connectionData }, expiresAt: grant.expiresAt };
}

/**
 * What a finished link yields takes effect: the account turns ACTIVE, or, with a verifier set, the
 * grant is held until the app names the user (services/user-verification.ts) and the browser goes there.
 */
async function settle(
  deps: Deps,
  { link, account, toolkit }: { link: ConnectLink; account: ConnectedAccount; toolkit: ToolkitFile },
  grant: ConnectionGrant,
): Promise<FlowOutcome> {
  if (verificationRequired(deps))
    return { status: 'verifying', account, toolkit, redirectTo: await holdConnection(deps, account, link, grant) };
  const active = await activateAccount(deps, account, grant.credentials, grant.connectionData, grant.expiresAt);
  return { status: 'success', account: active, toolkit, redirectTo: appCallbackUrl(link, 'success') };
}

/** A credentials form (API key, token, password, a key file) submitted: validate, take the link once, activate. */
export async function completeWithForm(deps: Deps, open: OpenLink, form: Record<string, string>): Promise<FlowOutcome> {
  const connectionData = { ...open.account.connectionData, ...validateConnectionData(open.toolkit, form, addressPolicy(deps.config)) };
  const missing = (open.toolkit.connection_fields ?? []).filter((f) => f.required && !connectionData[f.name]);
  if (missing.length > 0)
    throw new AppError('VALIDATION_FAILED', { message: `${missing.map((f) => f.display_name).join(', ')} is required.` });
  // a key or password the provider refuses is answered before the link is used, so the user can retry
  const grant = await formGrant(
    deps,
    open.config,
    open.toolkit,
    validateCredentialFields(open.toolkit, open.account.authScheme, form),
    connectionData,
  );
  if (!(await connectLinksRepo(deps.db).consume(open.link.id, deps.clock.now()))) {
    throw new AppError('CONNECTED_ACCOUNT_BAD_REQUEST', { message: 'This link was already used.' });
  }
  return settle(deps, open, { credentials: grant.credentials, connectionData, expiresAt: grant.expiresAt });
}
