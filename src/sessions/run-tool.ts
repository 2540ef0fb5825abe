import type { CatalogueTool } from '../catalogue/catalogue.ts';
import type { ToolkitFile } from '../catalogue/schema.ts';
import type { Deps } from '../deps.ts';
import { AppError } from '../errors.ts';
import { prepareArguments, type ToolResult } from '../execution/execute.ts';
import { authorizeToolkit, resolveSessionConnection, type SessionConnection } from './accounts.ts';
import type { CreatedLink } from '../services/connected-accounts.ts';
import type { Session } from './session.ts';
import { sessionTools } from './tool-lists.ts';
import { executeWithRefresh, type ResolvedConnection } from '../services/tool-execution.ts';

export type SessionToolOutcome =
  | { kind: 'result'; result: ToolResult }
  | { kind: 'not_connected'; toolkit: ToolkitFile; redirectUrl: string | null; connectedAccountId: string | null; message: string }
  | {
      kind: 'choose_account';
      toolkit: ToolkitFile;
      accounts: Array<{ id: string; alias: string | null; identity: string | null }>;
      message: string;
    };

export function sessionTool(deps: Deps, session: Session, slug: string): CatalogueTool {
  const entry = deps.catalogue.tool(slug);
  if (!entry || !sessionTools(deps, session.config).some(({ tool }) => tool === entry.tool)) {
    throw new AppError('TOOL_NOT_FOUND', { message: `${slug} is not a tool of this session.` });
  }
  return entry;
}

/** The failures that mean "this toolkit has no auth config a link could go through": the operator's to fix. */
const NO_USABLE_AUTH_CONFIG = new Set<string>(['OPERATOR_APP_MISSING', 'AUTH_CONFIG_DISABLED', 'AUTH_CONFIG_NOT_FOUND']);

/**
 * A Connect Link for the session user, or, when none can be made (the toolkit has no usable auth
 * config: no operator OAuth app, a disabled or deleted override), words meant for the model and the
 * user. The operator's fix (which setting to set) goes to the log; the REST routes answer it as is.
 */
export async function offerLink(deps: Deps, session: Session, toolkit: ToolkitFile): Promise<{ link: CreatedLink } | { problem: string }> {
  try {
    return { link: await authorizeToolkit(deps, session.config, toolkit) };
  } catch (error) {
    if (!(error instanceof AppError) || !NO_USABLE_AUTH_CONFIG.has(error.code)) throw error;
    deps.log.warn(
      { session_id: session.id, toolkit: toolkit.slug, code: error.code, fix: error.message },
      'no Connect Link could be made for a session',
    );
    return {
      problem: `${toolkit.name} cannot be connected yet: this app is not set up for ${toolkit.name}. Tell the user that ${toolkit.name} is not available for now.`,
    };
  }
}

/**
 * Runs one toolkit tool as the session's user. An unconnected toolkit is not an error to hide: the
 * outcome carries a Connect Link (when the session manages connections) for the model to show.
 */
export async function runSessionTool(
  deps: Deps,
  session: Session,
  slug: string,
  rawArgs: unknown,
  account?: string,
): Promise<SessionToolOutcome> {
  const entry = sessionTool(deps, session, slug);
  const args = prepareArguments(entry, rawArgs);
  const resolved = await resolveSessionConnection(deps, session.config, entry.toolkit, account);
  if (!('connection' in resolved)) return unresolvedOutcome(deps, session, resolved, entry.tool.slug);
  return { kind: 'result', result: await executeWithRefresh(deps, entry, args, resolved) };
}

/**
 * What a call answers when the session user has no account for its toolkit yet (a Connect Link to
 * show, when the session manages connections) or several to choose from. `retry` names the tool the
 * model calls again once the user has answered.
 */
export async function unresolvedOutcome(
  deps: Deps,
  session: Session,
  resolved: Exclude<SessionConnection, ResolvedConnection>,
  retry: string,
): Promise<SessionToolOutcome> {
  const toolkit = resolved.toolkit;
  const name = toolkit.name;
  if ('notConnected' in resolved) {
    if (!session.config.manageConnections.enabled) {
      return {
        kind: 'not_connected',
        toolkit,
        redirectUrl: null,
        connectedAccountId: null,
        message: `${name} is not connected for this user, and this session cannot start a connection. Tell the user that ${name} must be connected in the app first.`,
      };
    }
    const offer = await offerLink(deps, session, toolkit);
    if ('problem' in offer) return { kind: 'not_connected', toolkit, redirectUrl: null, connectedAccountId: null, message: offer.problem };
    const { link } = offer;
    return {
      kind: 'not_connected',
      toolkit,
      connectedAccountId: link.account.id,
      redirectUrl: link.redirectUrl,
      message:
        `${name} is not connected for this user yet. Show the user this link so they can connect their ${name} account: ${link.redirectUrl}\n` +
        `Once they say they are done, call ${retry} again with the same arguments.`,
    };
  }
  const accounts = resolved.chooseAccount.map((a) => ({ id: a.id, alias: a.alias, identity: a.connectionData.identity ?? null }));
  return {
    kind: 'choose_account',
    toolkit,
    accounts,
    message: `This user has ${accounts.length} ${name} accounts. Ask which one to use, then call ${retry} again with "account" set to its id or alias.`,
  };
}

/** The outcome as Composio's envelope `{data, error, successful}`. */
export function outcomeEnvelope(outcome: SessionToolOutcome): ToolResult {
  if (outcome.kind === 'result') return outcome.result;
  if (outcome.kind === 'not_connected') {
    return {
      data: {
        toolkit: outcome.toolkit.slug,
        connected: false,
        redirect_url: outcome.redirectUrl,
        connected_account_id: outcome.connectedAccountId,
        instruction: outcome.message,
      },
      error: outcome.message,
      successful: false,
    };
  }
  return {
    data: { toolkit: outcome.toolkit.slug, accounts: outcome.accounts, instruction: outcome.message },
    error: outcome.message,
    successful: false,
  };
}
