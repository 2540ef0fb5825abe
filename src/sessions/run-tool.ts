import { newLogId } from '../ids.ts';
import type { CatalogueTool } from '../catalogue/catalogue.ts';
import type { ToolkitFile } from '../catalogue/schema.ts';
import type { Deps } from '../deps.ts';
import { AppError } from '../errors.ts';
import { prepareArguments, type PreparedArguments, type ToolResult } from '../execution/execute.ts';
import { authorizeToolkit, resolveSessionConnection, type SessionConnection } from './accounts.ts';
import type { CreatedLink } from '../services/connected-accounts.ts';
import type { Session } from './session.ts';
import { sessionToolSet } from './tool-lists.ts';
import { executeWithRefresh, noteAccount, type ResolvedConnection } from '../services/tool-execution.ts';
import { type CallEnd, type LoggedCall, logExecution, logRefusal, resultEnd } from '../services/execution-log.ts';
import { type ApprovalAsk, approvalVerdict } from './approvals.ts';
import type { ToolCallContext } from './call-context.ts';
import { blockingHook } from './hooks.ts';

export type SessionToolOutcome = (
  | { kind: 'result'; result: ToolResult }
  | { kind: 'not_connected'; toolkit: ToolkitFile; redirectUrl: string | null; connectedAccountId: string | null; message: string }
  | {
      kind: 'choose_account';
      toolkit: ToolkitFile;
      accounts: Array<{ id: string; alias: string | null; identity: string | null }>;
      message: string;
    }
  /** a before_execute hook stopped it (Composio's `result_type: 'blocked'`) */
  | { kind: 'blocked'; hookId: string; message: string }
  /** the session's policy, or the user, said no */
  | { kind: 'refused'; message: string }
  /** waiting for the user's yes */
  | { kind: 'approval_required'; ask: ApprovalAsk; message: string }
) & {
  /** the execution log row of the call, which the answer names (`log_id`); absent for a call not logged */
  logId?: string;
};

/** A call checked and ready to start, or already answered without running. */
export type PreparedCall = { kind: 'ready'; start(): Promise<SessionToolOutcome> } | { kind: 'settled'; outcome: SessionToolOutcome };

const settled = (outcome: SessionToolOutcome): PreparedCall => ({ kind: 'settled', outcome });

export function sessionTool(deps: Deps, session: Session, slug: string): CatalogueTool {
  const entry = deps.catalogue.tool(slug);
  if (!entry || !sessionToolSet(deps, session.config).has(entry.tool)) {
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

/** A call of the session's user on one toolkit, as governance sees it, and how to send it once allowed. */
export interface GovernedRequest {
  toolkit: ToolkitFile;
  /** the tool slug (COMPOSIO_PROXY_EXECUTE for a raw request) */
  tool: string;
  toolName: string;
  tags: readonly string[];
  arguments: unknown;
  /** which of the user's accounts (id or alias), when they have several */
  account: string | undefined;
  /** false for a raw request: a yes for it never holds for the rest of the session */
  grantable: boolean;
  /** slugs of the toolkit's own tools when this is a raw request (hooks.ts: a raw request cannot slip past a tool's hook) */
  rawFor?: ReadonlySet<string>;
  send(resolved: ResolvedConnection): Promise<SessionToolOutcome>;
}

/**
 * Checks one call of the session's user, in the order that costs the user least: the session's hooks
 * (a blocked call asks nobody anything), the connection (an unconnected toolkit is not an error to
 * hide: the outcome carries a Connect Link, when the session manages connections), then the user's
 * approval, for the very account the call will use. Tool calls and raw proxy requests both come here.
 */
export async function prepareGoverned(
  deps: Deps,
  session: Session,
  request: GovernedRequest,
  context: ToolCallContext,
): Promise<PreparedCall> {
  // every call of a session is logged once: as it settles here without running, or when it runs
  const call: LoggedCall = {
    logId: newLogId(),
    sessionId: session.id,
    userId: session.config.userId,
    toolkitSlug: request.toolkit.slug,
    toolSlug: request.tool,
    arguments: request.arguments,
  };
  let prepared: PreparedCall;
  try {
    prepared = await governed(deps, session, request, context, call);
  } catch (error) {
    logRefusal(deps, call, error);
    throw error;
  }
  if (prepared.kind === 'settled') {
    const outcome = { ...prepared.outcome, logId: call.logId };
    await logExecution(deps, call, async () => outcome, outcomeEnd);
    return settled(outcome);
  }
  const { start } = prepared;
  return {
    kind: 'ready',
    async start() {
      return { ...(await logExecution(deps, call, start, outcomeEnd)), logId: call.logId };
    },
  };
}

/** A session call's outcome as the log records it: a result by its envelope, anything else by its kind. */
function outcomeEnd(outcome: SessionToolOutcome): CallEnd {
  if (outcome.kind === 'result') return resultEnd(outcome.result);
  return { outcome: outcome.kind, errorMessage: outcome.message };
}

async function governed(
  deps: Deps,
  session: Session,
  request: GovernedRequest,
  context: ToolCallContext,
  call: LoggedCall,
): Promise<PreparedCall> {
  const { toolkit } = request;
  const blocked = blockingHook(
    session.config.hooks,
    { toolkit: toolkit.slug, tool: request.tool, arguments: request.arguments },
    request.rawFor,
  );
  if (blocked) return settled({ kind: 'blocked', hookId: blocked.hookId, message: blocked.reason });
  const resolved = await resolveSessionConnection(deps, session.config, toolkit, request.account);
  if (!('connection' in resolved)) return settled(await unresolvedOutcome(deps, session, resolved, request.tool));
  noteAccount(call, resolved);
  const verdict = await approvalVerdict(
    deps,
    session,
    {
      toolkit: toolkit.slug,
      toolkitName: toolkit.name,
      tool: request.tool,
      toolName: request.toolName,
      tags: request.tags,
      accountId: resolved.account?.id ?? null,
      arguments: request.arguments,
      grantable: request.grantable,
      raw: request.rawFor !== undefined,
    },
    context.answers,
  );
  if (verdict.kind === 'refused') return settled({ kind: 'refused', message: verdict.message });
  if (verdict.kind === 'ask') {
    context.asks.push(verdict.ask);
    return settled({ kind: 'approval_required', ask: verdict.ask, message: approvalMessage(verdict.ask, context) });
  }
  return {
    kind: 'ready',
    async start() {
      if (verdict.spend && !(await verdict.spend())) {
        return { kind: 'refused', message: `${request.toolName} did not run: its approval was used by another call. Ask for it again.` };
      }
      return request.send(resolved);
    },
  };
}

/** One toolkit tool call of the session's user, checked (prepareGoverned) and ready to start. */
export async function prepareSessionTool(
  deps: Deps,
  session: Session,
  slug: string,
  rawArgs: unknown,
  account: string | undefined,
  context: ToolCallContext,
): Promise<PreparedCall> {
  let entry: CatalogueTool;
  let args: PreparedArguments;
  try {
    entry = sessionTool(deps, session, slug);
    args = prepareArguments(entry, rawArgs);
  } catch (error) {
    // refused before governance (not a tool of this session, bad arguments): logged all the same
    const toolkitSlug = deps.catalogue.tool(slug)?.toolkit.slug ?? 'unknown';
    logRefusal(deps, { sessionId: session.id, userId: session.config.userId, toolkitSlug, toolSlug: slug, arguments: rawArgs }, error);
    throw error;
  }
  return prepareGoverned(
    deps,
    session,
    {
      toolkit: entry.toolkit,
      tool: entry.tool.slug,
      toolName: entry.tool.name,
      tags: entry.tool.tags,
      arguments: args,
      account,
      grantable: true,
      async send(resolved) {
        return { kind: 'result', result: await executeWithRefresh(deps, entry, args, resolved) };
      },
    },
    context,
  );
}

/**
 * Words for the model about a call waiting for approval. Never the approval page: the model could
 * open it and answer for the user. A client that cannot ask is told the app can.
 */
function approvalMessage(ask: ApprovalAsk, context: ToolCallContext): string {
  if (context.canAsk) return `${ask.tool.name} needs the user's approval before it runs; they are being asked.`;
  return (
    `${ask.tool.name} needs the user's approval before it runs, and this client cannot ask them. Tell the user it is waiting for ` +
    `their approval in the app; once they have approved it, call it again with the same arguments, on its own.`
  );
}

/** Checks and runs one toolkit tool call as the session's user. */
export async function runSessionTool(
  deps: Deps,
  session: Session,
  slug: string,
  rawArgs: unknown,
  account: string | undefined,
  context: ToolCallContext,
): Promise<SessionToolOutcome> {
  const prepared = await prepareSessionTool(deps, session, slug, rawArgs, account, context);
  return prepared.kind === 'ready' ? prepared.start() : prepared.outcome;
}

/**
 * What a call answers when the session user has no account for its toolkit yet (a Connect Link to
 * show, when the session manages connections) or several to choose from. `retry` names the tool the
 * model calls again once the user has answered.
 */
async function unresolvedOutcome(
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
  if (outcome.kind === 'choose_account') {
    return {
      data: { toolkit: outcome.toolkit.slug, accounts: outcome.accounts, instruction: outcome.message },
      error: outcome.message,
      successful: false,
    };
  }
  if (outcome.kind === 'approval_required') {
    const { ask } = outcome;
    return {
      data: { approval_required: true, approval_id: ask.approvalId, tool_slug: ask.tool.slug, instruction: outcome.message },
      error: outcome.message,
      successful: false,
    };
  }
  // blocked and refused: nothing ran, and the words say why
  return { data: {}, error: outcome.message, successful: false };
}
