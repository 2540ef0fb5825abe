import { newLogId } from '../ids.ts';
import type { CatalogueTool } from '../catalogue/catalogue.ts';
import type { Deps } from '../deps.ts';
import { AppError } from '../errors.ts';
import { secretValues, type ToolConnection } from '../execution/connection.ts';
import { type LoggedCall, logExecution, logRefusal, resultEnd } from './execution-log.ts';
import { canRefresh, isNoAuth, NO_AUTH_CONNECTION } from '../schemes/registry.ts';
import {
  executePrepared,
  executeProxy,
  prepareArguments,
  type PreparedArguments,
  ToolInputError,
  type ExecutionOptions,
  type ToolResult,
} from '../execution/execute.ts';
import type { ProxyInput } from '../execution/proxy.ts';
import type { ToolkitFile } from '../catalogue/schema.ts';
import { authConfigsRepo } from '../../storage/repos/auth-configs.ts';
import { connectedAccountsRepo } from '../../storage/repos/connected-accounts.ts';
import { toolConnection } from './connected-accounts.ts';
import { needsRefresh, refreshAccount } from '../refresh/refresh-account.ts';
import type { AuthConfig, ConnectedAccount } from '../../storage/domain.ts';

/**
 * Tool calls use https, or plain http only to loopback (an operator's API on the same machine):
 * nothing crosses a network in clear.
 */
export function executionOptions(deps: Deps): ExecutionOptions {
  return {
    exchange: deps.exchange,
    timeoutMs: deps.config.toolTimeoutMs,
    maxResponseBytes: deps.config.maxResponseBytes,
    allowHttpLoopback: true,
  };
}

export function findTool(deps: Deps, slug: string): CatalogueTool {
  const entry = deps.catalogue.tool(slug);
  if (!entry) throw new AppError('TOOL_NOT_FOUND', { message: `No tool named ${slug}.` });
  return entry;
}

export interface ExecuteRequest {
  toolSlug: string;
  userId?: string;
  connectedAccountId?: string;
  arguments?: unknown;
}

export interface ResolvedConnection {
  account: ConnectedAccount | null;
  connection: ToolConnection;
}

/**
 * The account a call runs as. The identity comes from the caller's credentials (the API key's
 * `user_id`, later the session), never from tool arguments. A named account must belong to that user,
 * be ACTIVE and enabled, and be of the tool's toolkit; otherwise the user's most recent ACTIVE one.
 */
export async function resolveAccount(
  deps: Deps,
  toolkit: ToolkitFile,
  request: { userId?: string; connectedAccountId?: string; authConfigId?: string },
): Promise<ResolvedConnection> {
  if (isNoAuth(toolkit)) return { account: null, connection: NO_AUTH_CONNECTION };
  let account: ConnectedAccount | undefined;
  if (request.connectedAccountId) {
    account = await connectedAccountsRepo(deps.db).findById(request.connectedAccountId);
    if (!account || (request.userId !== undefined && account.userId !== request.userId)) {
      throw new AppError('CONNECTED_ACCOUNT_NOT_FOUND', { message: `Connected account ${request.connectedAccountId} was not found.` });
    }
    if (account.toolkitSlug !== toolkit.slug) {
      throw new AppError('CONNECTED_ACCOUNT_BAD_REQUEST', {
        message: `Connected account ${account.id} is a ${account.toolkitSlug} account, not ${toolkit.slug}.`,
      });
    }
    if (account.status !== 'ACTIVE' || account.isDisabled) {
      throw new AppError('NO_CONNECTED_ACCOUNT', {
        message: `Connected account ${account.id} is ${account.isDisabled ? 'disabled' : account.status}; it cannot be used until it is reconnected or enabled.`,
      });
    }
  } else if (request.userId !== undefined) {
    // the user's most recently updated ACTIVE, enabled account of the toolkit, with its auth config
    const [usable] = await connectedAccountsRepo(deps.db).listUsableWithAuthConfig(request.userId, toolkit.slug, {
      authConfigId: request.authConfigId,
    });
    if (usable) return connectionFor(deps, toolkit, usable.account, usable);
  }
  if (!account) {
    throw new AppError('NO_CONNECTED_ACCOUNT', {
      message: `User ${JSON.stringify(request.userId ?? '')} has no active ${toolkit.name} account; connect one, then retry.`,
    });
  }
  return connectionFor(deps, toolkit, account);
}

/**
 * The connection of an account already known to be the caller's, ACTIVE and enabled: refreshed first
 * when its token is about to expire, refused when its auth config is disabled. `read` is the auth
 * config as read with the account, in the same statement (listUsableWithAuthConfig); without it the
 * config is read here.
 */
export async function connectionFor(
  deps: Deps,
  toolkit: ToolkitFile,
  usable: ConnectedAccount,
  read?: { authConfig: AuthConfig | undefined },
): Promise<ResolvedConnection> {
  let account: ConnectedAccount | undefined = usable;
  if (needsRefresh(deps, account)) {
    // refresh on use: the call waits for fresh tokens rather than failing upstream
    await refreshAccount(deps, account.id);
    account = await connectedAccountsRepo(deps.db).findById(account.id);
    if (!account || account.status !== 'ACTIVE') {
      throw new AppError('NO_CONNECTED_ACCOUNT', {
        message: `The ${toolkit.name} connection expired and could not be refreshed; the user must reconnect.`,
      });
    }
  }
  // a refresh never changes which auth config an account belongs to, nor the config itself
  const config = read ? read.authConfig : await authConfigsRepo(deps.db).findById(account.authConfigId);
  if (!config || config.status !== 'ENABLED')
    throw new AppError('AUTH_CONFIG_DISABLED', { message: `The auth config of ${account.id} is disabled.` });
  return { account, connection: toolConnection(deps, account, config, toolkit) };
}

/**
 * Runs a tool; when the upstream refuses a renewable credential (401: an OAuth2 token, a login's JWT),
 * refreshes once and retries once, so a token revoked or rotated early does not fail the call.
 */
export async function executeWithRefresh(
  deps: Deps,
  entry: CatalogueTool,
  args: PreparedArguments,
  resolved: ResolvedConnection,
): Promise<ToolResult> {
  const first = await executePrepared(entry, args, resolved.connection, executionOptions(deps));
  const account = resolved.account;
  if (!first.upstreamUnauthorized || !account || !canRefresh(account.authScheme)) return first;
  const outcome = await refreshAccount(deps, account.id, { force: true });
  if (outcome !== 'refreshed' && outcome !== 'fresh') return first;
  const again = await resolveAccount(deps, entry.toolkit, { userId: account.userId, connectedAccountId: account.id });
  return executePrepared(entry, args, again.connection, executionOptions(deps));
}

function argumentsError(error: ToolInputError): AppError {
  return new AppError('TOOL_ARGUMENTS_INVALID', { message: error.message, errors: error.errors });
}

/** The account a call resolved to, noted on its log entry (and its secrets, masked out of a kept payload). */
export function noteAccount(call: LoggedCall, resolved: ResolvedConnection): void {
  call.connectedAccountId = resolved.account?.id ?? null;
  call.authConfigId = resolved.account?.authConfigId ?? null;
  call.secrets = secretValues(resolved.connection);
}

/** Runs one tool call for a user; the answer names its execution log row (`logId`). */
export async function executeToolRequest(deps: Deps, request: ExecuteRequest): Promise<ToolResult & { logId: string }> {
  const logId = newLogId();
  const call: LoggedCall = {
    logId,
    userId: request.userId,
    toolkitSlug: 'unknown',
    toolSlug: request.toolSlug,
    arguments: request.arguments,
  };
  let entry: CatalogueTool;
  try {
    entry = findTool(deps, request.toolSlug);
  } catch (error) {
    logRefusal(deps, call, error);
    throw error;
  }
  call.toolkitSlug = entry.toolkit.slug;
  const result = await logExecution(
    deps,
    call,
    async () => {
      try {
        // validate first: a bad argument is the caller's to fix whether or not an account exists
        const args = prepareArguments(entry, request.arguments);
        const resolved = await resolveAccount(deps, entry.toolkit, request);
        noteAccount(call, resolved);
        return await executeWithRefresh(deps, entry, args, resolved);
      } catch (error) {
        if (error instanceof ToolInputError) throw argumentsError(error);
        throw error;
      }
    },
    resultEnd,
  );
  return { ...result, logId };
}

/** `POST /tools/execute/proxy`: a raw call to the account's toolkit API with its credential. */
export async function proxyRequest(deps: Deps, connectedAccountId: string, input: ProxyInput): Promise<ToolResult> {
  const account = await connectedAccountsRepo(deps.db).findById(connectedAccountId);
  if (!account) throw new AppError('CONNECTED_ACCOUNT_NOT_FOUND', { message: `Connected account ${connectedAccountId} was not found.` });
  const toolkit = deps.catalogue.toolkit(account.toolkitSlug);
  if (!toolkit) throw new AppError('TOOLKIT_NOT_FOUND');
  // logged under the name a session's raw request has (sessions/approval-policy.ts PROXY_TOOL)
  const call: LoggedCall = { userId: account.userId, toolkitSlug: toolkit.slug, toolSlug: 'COMPOSIO_PROXY_EXECUTE', arguments: input };
  return logExecution(
    deps,
    call,
    async () => {
      const resolved = await resolveAccount(deps, toolkit, { connectedAccountId });
      noteAccount(call, resolved);
      try {
        return await executeProxy(toolkit, input, resolved.connection, executionOptions(deps));
      } catch (error) {
        if (error instanceof ToolInputError) throw argumentsError(error);
        throw error;
      }
    },
    resultEnd,
  );
}
