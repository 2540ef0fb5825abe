import { timingSafeEqual } from 'node:crypto';
import type { ToolkitFile } from '../catalogue/schema.ts';
import type { Deps } from '../deps.ts';
import { AppError } from '../errors.ts';
import { hashSecret, newSecret } from '../ids.ts';
import { addressPolicy } from '../execution/address-policy.ts';
import { fillBaseUrl } from '../execution/templates.ts';
import { exchangeCode, OAuthFlowError, startAuthorization } from '../oauth/client.ts';
import { accessToken, requestToken } from '../oauth/oauth1-flow.ts';
import { tokenResponseData } from '../oauth/token-fields.ts';
import { authConfigsRepo, type AuthConfigRow } from '../../storage/repos/auth-configs.ts';
import { connectLinksRepo, type ConnectLinkRow } from '../../storage/repos/connect-links.ts';
import { connectedAccountsRepo, type ConnectedAccountRow } from '../../storage/repos/connected-accounts.ts';
import { SEALED_COLUMNS, sealedAad } from '../../storage/schema.ts';
import { connectionDataOf, LINKABLE_STATUSES, STATUS_REASONS } from './account-state.ts';
import { oauthClientFor, toolkitOf } from './auth-configs.ts';
import { activateAccount, failAccount, validateConnectionData, validateCredentialFields } from './connected-accounts.ts';
import { callbackUrl, oauth1Scheme, oauth2Endpoints, oauth2Scheme, oauthCallOptions } from './oauth-endpoints.ts';

/**
 * The hosted Connect Link flow: a link token opens a page; OAuth goes to the provider with PKCE S256
 * and a random state held server-side (by hash), bound to the browser that started it by a cookie;
 * the callback consumes the link atomically, exchanges the code, and activates the account. A link
 * acts only on its own account, so one user's link can never touch another user's.
 */

const FLOW_COLUMN = SEALED_COLUMNS[3];

export type LinkProblem = 'unknown' | 'expired' | 'used' | 'not_pending';

export interface OpenLink {
  link: ConnectLinkRow;
  account: ConnectedAccountRow;
  config: AuthConfigRow;
  toolkit: ToolkitFile;
}

type FlowState =
  | { kind: 'oauth2'; code_verifier: string | null; redirect_uri: string; browser_hash: string }
  | { kind: 'oauth1'; request_token_secret: string; browser_hash: string };

export type FlowOutcome =
  | { status: 'success'; account: ConnectedAccountRow; toolkit: ToolkitFile; redirectTo: string | null }
  | { status: 'failed'; account: ConnectedAccountRow; toolkit: ToolkitFile; redirectTo: string | null; reason: string };

export async function openLink(deps: Deps, token: string): Promise<OpenLink | LinkProblem> {
  if (!/^ln_[A-Za-z0-9]{20,64}$/.test(token)) return 'unknown';
  const link = await connectLinksRepo(deps.db).findByTokenHash(hashSecret(token));
  if (!link) return 'unknown';
  if (link.used_at !== null) return 'used';
  if (link.expires_at <= deps.clock.now()) return 'expired';
  const account = await connectedAccountsRepo(deps.db).findById(link.connected_account_id);
  if (!account || !LINKABLE_STATUSES.includes(account.status)) return 'not_pending';
  const config = await authConfigsRepo(deps.db).findById(account.auth_config_id);
  if (!config || config.status !== 'ENABLED') return 'not_pending';
  return { link, account, config, toolkit: toolkitOf(deps, account.toolkit_slug) };
}

/** Composio's contract: the app's callback URL keeps its own query and gains `status` and `connected_account_id`. */
export function appCallbackUrl(link: ConnectLinkRow, status: 'success' | 'failed'): string | null {
  if (!link.callback_url) return null;
  const url = new URL(link.callback_url);
  url.searchParams.set('status', status);
  url.searchParams.set('connected_account_id', link.connected_account_id);
  return url.href;
}

/** Required connection fields (a subdomain) the account does not have yet: the page asks for them first. */
export function missingConnectionFields(open: OpenLink) {
  const data = connectionDataOf(open.account);
  return (open.toolkit.connection_fields ?? []).filter((f) => f.required && !data[f.name]);
}

/** Stores connection fields typed on the page (OAuth toolkits that need a subdomain before redirecting). */
export async function saveConnectionFields(deps: Deps, open: OpenLink, form: Record<string, string>): Promise<OpenLink> {
  const data = { ...connectionDataOf(open.account), ...validateConnectionData(open.toolkit, form, addressPolicy(deps.config)) };
  const missing = (open.toolkit.connection_fields ?? []).filter((f) => f.required && !data[f.name]);
  if (missing.length > 0) throw new AppError('VALIDATION_FAILED', { message: `${missing.map((f) => f.display_name).join(', ')} is required.` });
  await connectedAccountsRepo(deps.db).update(open.account.id, { connection_data: JSON.stringify(data) });
  return { ...open, account: { ...open.account, connection_data: JSON.stringify(data) } };
}

/**
 * Starts OAuth2 for a link: a fresh state (its hash replaces any earlier one, so only the newest
 * redirect can complete), a PKCE verifier sealed with the link, and a browser nonce for the cookie.
 */
export async function beginOAuth2(deps: Deps, open: OpenLink): Promise<{ url: URL; browserNonce: string }> {
  const scheme = oauth2Scheme(open.toolkit);
  if (!scheme || open.account.auth_scheme !== 'OAUTH2') throw new AppError('CONNECTED_ACCOUNT_BAD_REQUEST', { message: 'This link is not an OAuth2 connection.' });
  const client = oauthClientFor(deps, open.config, open.toolkit);
  const endpoints = oauth2Endpoints(deps, scheme, connectionDataOf(open.account));
  const redirectUri = client.redirectUri ?? callbackUrl(deps);
  const start = await startAuthorization(endpoints, client, {
    redirectUri,
    scopes: client.scopes,
    scopeSeparator: scheme.scope_separator,
    pkce: scheme.pkce,
    extraParams: scheme.authorization_params,
  });
  const browserNonce = newSecret('lkb');
  const flow: FlowState = { kind: 'oauth2', code_verifier: start.codeVerifier, redirect_uri: redirectUri, browser_hash: hashSecret(browserNonce) };
  await connectLinksRepo(deps.db).update(open.link.id, {
    state_hash: hashSecret(start.state),
    flow_sealed: deps.vault.sealJson(flow, sealedAad(FLOW_COLUMN, open.link.id)),
  });
  return { url: start.url, browserNonce };
}

function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

export type CallbackProblem = 'unknown_state' | 'used_state' | 'expired' | 'other_browser';

interface TakenLink {
  link: ConnectLinkRow;
  account: ConnectedAccountRow;
  config: AuthConfigRow;
  toolkit: ToolkitFile;
  flow: FlowState;
}

/**
 * Finds the link a callback belongs to by the hash of its state (OAuth2 `state`, OAuth1 request
 * token), checks it was started in this browser, and takes it exactly once.
 */
async function takeLink(deps: Deps, stateValue: string | null, browserNonceFor: (linkId: string) => string | undefined): Promise<TakenLink | CallbackProblem> {
  if (!stateValue || stateValue.length > 512) return 'unknown_state';
  const stateHash = hashSecret(stateValue);
  const links = connectLinksRepo(deps.db);
  const found = await links.findByStateHash(stateHash);
  if (!found || !found.flow_sealed) return 'unknown_state';
  if (found.used_at !== null) return 'used_state';
  const flow = deps.vault.openJson<FlowState>(found.flow_sealed, sealedAad(FLOW_COLUMN, found.id));
  const nonce = browserNonceFor(found.id);
  if (!nonce || !sameSecret(hashSecret(nonce), flow.browser_hash)) return 'other_browser';
  const link = await links.consumeByStateHash(stateHash, deps.clock.now());
  if (!link) return 'used_state';
  const account = await connectedAccountsRepo(deps.db).findById(link.connected_account_id);
  const config = account && (await authConfigsRepo(deps.db).findById(account.auth_config_id));
  if (!account || !config || !LINKABLE_STATUSES.includes(account.status)) return 'used_state';
  if (link.expires_at <= deps.clock.now()) return 'expired';
  return { link, account, config, toolkit: toolkitOf(deps, account.toolkit_slug), flow };
}

async function failed(deps: Deps, taken: TakenLink, error: unknown): Promise<FlowOutcome> {
  const reason =
    error instanceof OAuthFlowError
      ? error.error === 'access_denied'
        ? `The user denied access (access_denied${error.description ? `: ${error.description}` : ''})`
        : `${STATUS_REASONS.CALLBACK_FAILED}: ${error.message}`
      : error instanceof AppError
        ? error.message
        : STATUS_REASONS.CALLBACK_FAILED;
  if (!(error instanceof OAuthFlowError) && !(error instanceof AppError)) {
    deps.log.error({ err: { name: (error as Error).name, stack: (error as Error).stack } }, 'connect callback failed');
  }
  await failAccount(deps, taken.account.id, reason);
  return { status: 'failed', account: { ...taken.account, status: 'FAILED', status_reason: reason }, toolkit: taken.toolkit, redirectTo: appCallbackUrl(taken.link, 'failed'), reason };
}

/** The provider's return, OAuth2 (`state`, `code`) or OAuth 1.0a (`oauth_token`, `oauth_verifier`). */
export async function completeCallback(deps: Deps, callback: URL, browserNonceFor: (linkId: string) => string | undefined): Promise<FlowOutcome | CallbackProblem> {
  const oauth1Token = callback.searchParams.get('oauth_token');
  const state = callback.searchParams.get('state') ?? (oauth1Token && !callback.searchParams.has('code') ? oauth1Token : null);
  const taken = await takeLink(deps, state, browserNonceFor);
  if (typeof taken === 'string') return taken;
  try {
    const active = taken.flow.kind === 'oauth2' ? await finishOAuth2(deps, taken, callback, state!) : await finishOAuth1(deps, taken, callback);
    return { status: 'success', account: active, toolkit: taken.toolkit, redirectTo: appCallbackUrl(taken.link, 'success') };
  } catch (error) {
    return failed(deps, taken, error);
  }
}

async function finishOAuth2(deps: Deps, taken: TakenLink, callback: URL, state: string): Promise<ConnectedAccountRow> {
  const flow = taken.flow as Extract<FlowState, { kind: 'oauth2' }>;
  const scheme = oauth2Scheme(taken.toolkit)!;
  const connectionData = connectionDataOf(taken.account);
  const tokens = await exchangeCode(
    oauth2Endpoints(deps, scheme, connectionData),
    oauthClientFor(deps, taken.config, taken.toolkit),
    { callbackUrl: callback, expectedState: state, codeVerifier: flow.code_verifier, redirectUri: flow.redirect_uri, tokenParams: scheme.token_params },
    oauthCallOptions(deps),
  );
  const credentials: Record<string, string> = { access_token: tokens.access_token, token_type: tokens.token_type };
  if (tokens.refresh_token) credentials.refresh_token = tokens.refresh_token;
  if (tokens.scope) credentials.scope = tokens.scope;
  if (tokens.id_token) credentials.id_token = tokens.id_token;
  Object.assign(connectionData, fromTokenResponse(taken.toolkit, scheme.token_response_fields, tokens.extra));
  const expiresAt = tokens.expires_in !== undefined ? deps.clock.now() + tokens.expires_in * 1000 : null;
  return activateAccount(deps, taken.account, credentials, connectionData, expiresAt);
}

/** What a token response may add to the connection: its declared fields, never a user's or operator's field. */
function fromTokenResponse(toolkit: ToolkitFile, declared: string[] | undefined, response: Record<string, unknown>): Record<string, string> {
  const protectedNames = new Set(['identity', ...(toolkit.connection_fields ?? []).map((f) => f.name)]);
  return tokenResponseData(declared ?? [], protectedNames, response);
}

async function finishOAuth1(deps: Deps, taken: TakenLink, callback: URL): Promise<ConnectedAccountRow> {
  const flow = taken.flow as Extract<FlowState, { kind: 'oauth1' }>;
  const scheme = oauth1Scheme(taken.toolkit)!;
  const verifier = callback.searchParams.get('oauth_verifier');
  if (!verifier) throw new OAuthFlowError(callback.searchParams.get('denied') ? 'access_denied' : 'invalid_request', 'the provider sent no oauth_verifier');
  const connectionData = connectionDataOf(taken.account);
  const client = oauthClientFor(deps, taken.config, taken.toolkit);
  const tokens = await accessToken(
    deps.fetch,
    fillBaseUrl(scheme.access_token_url, connectionData, deps.config.allowInsecureLoopback).href,
    { key: client.clientId, secret: client.clientSecret },
    { token: callback.searchParams.get('oauth_token')!, secret: flow.request_token_secret },
    verifier,
  );
  Object.assign(connectionData, fromTokenResponse(taken.toolkit, scheme.token_response_fields, tokens.extra));
  return activateAccount(deps, taken.account, { oauth_token: tokens.oauth_token, oauth_token_secret: tokens.oauth_token_secret }, connectionData, null);
}

/** Starts OAuth 1.0a: a request token carrying our callback; its hash is the link's state. */
export async function beginOAuth1(deps: Deps, open: OpenLink): Promise<{ url: URL; browserNonce: string }> {
  const scheme = oauth1Scheme(open.toolkit);
  if (!scheme) throw new AppError('CONNECTED_ACCOUNT_BAD_REQUEST', { message: 'This link is not an OAuth 1.0a connection.' });
  const client = oauthClientFor(deps, open.config, open.toolkit);
  const data = connectionDataOf(open.account);
  const allow = deps.config.allowInsecureLoopback;
  let tokens;
  try {
    tokens = await requestToken(deps.fetch, fillBaseUrl(scheme.request_token_url, data, allow).href, { key: client.clientId, secret: client.clientSecret }, client.redirectUri ?? callbackUrl(deps));
  } catch (error) {
    if (error instanceof OAuthFlowError) throw new AppError('CONNECTED_ACCOUNT_BAD_REQUEST', { message: `${open.toolkit.name} refused to start the sign-in: ${error.message}` });
    throw error;
  }
  const browserNonce = newSecret('lkb');
  const flow: FlowState = { kind: 'oauth1', request_token_secret: tokens.oauth_token_secret, browser_hash: hashSecret(browserNonce) };
  await connectLinksRepo(deps.db).update(open.link.id, {
    state_hash: hashSecret(tokens.oauth_token),
    flow_sealed: deps.vault.sealJson(flow, sealedAad(FLOW_COLUMN, open.link.id)),
  });
  const url = fillBaseUrl(scheme.authorization_url, data, allow);
  url.searchParams.set('oauth_token', tokens.oauth_token);
  for (const [k, v] of Object.entries(scheme.authorization_params ?? {})) url.searchParams.set(k, v);
  return { url, browserNonce };
}

/** A credentials form (API key, bearer token, basic) submitted: validate, take the link once, activate. */
export async function completeWithForm(deps: Deps, open: OpenLink, form: Record<string, string>): Promise<FlowOutcome> {
  const connectionData = { ...connectionDataOf(open.account), ...validateConnectionData(open.toolkit, form, addressPolicy(deps.config)) };
  const missing = (open.toolkit.connection_fields ?? []).filter((f) => f.required && !connectionData[f.name]);
  if (missing.length > 0) throw new AppError('VALIDATION_FAILED', { message: `${missing.map((f) => f.display_name).join(', ')} is required.` });
  const credentials = validateCredentialFields(open.toolkit, open.account.auth_scheme, form);
  if (!(await connectLinksRepo(deps.db).consume(open.link.id, deps.clock.now()))) {
    throw new AppError('CONNECTED_ACCOUNT_BAD_REQUEST', { message: 'This link was already used.' });
  }
  const active = await activateAccount(deps, open.account, credentials, connectionData, null);
  return { status: 'success', account: active, toolkit: open.toolkit, redirectTo: appCallbackUrl(open.link, 'success') };
}
