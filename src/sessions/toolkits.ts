import type { ToolkitFile } from '../catalogue/schema.ts';
import { isNoAuth } from '../schemes/registry.ts';
import type { Deps } from '../deps.ts';
import { AppError } from '../errors.ts';
import { executeProxy, proxyAnswer, type ToolResult } from '../execution/execute.ts';
import type { ProxyInput } from '../execution/proxy.ts';
import { executionOptions } from '../services/tool-execution.ts';
import type { ConnectedAccount } from '../../storage/domain.ts';
import { latestAccount, resolveSessionConnection, usableAccounts } from './accounts.ts';
import { proxyTags } from './approval-policy.ts';
import { approvalVerdict } from './approvals.ts';
import type { ToolCallContext } from './call-context.ts';
import { blockingHook } from './hooks.ts';
import { governedOutcome, outcomeEnvelope, type SessionToolOutcome, unresolvedOutcome } from './run-tool.ts';
import type { Session } from './session.ts';
import { sessionToolkits } from './tool-lists.ts';

/** One toolkit of the session by slug (any case); a toolkit outside the session is a 404. */
export function sessionToolkit(deps: Deps, session: Session, slug: string): ToolkitFile {
  const toolkit = sessionToolkits(deps, session.config).find((t) => t.slug === slug.toLowerCase());
  if (!toolkit) throw new AppError('TOOLKIT_NOT_FOUND', { message: `${slug} is not a toolkit of this session.` });
  return toolkit;
}

/**
 * The session's toolkits (narrowed to `only` slugs and a name search), each with the account that
 * speaks for it: the newest usable one, else the newest of any status (INITIATED, FAILED …).
 */
export async function toolkitConnections(
  deps: Deps,
  session: Session,
  filter: { only?: string[]; search?: string },
): Promise<Array<{ toolkit: ToolkitFile; account: ConnectedAccount | undefined }>> {
  const search = filter.search?.toLowerCase();
  const toolkits = sessionToolkits(deps, session.config).filter(
    (t) => (!filter.only || filter.only.includes(t.slug)) && (!search || t.name.toLowerCase().includes(search)),
  );
  const out = [];
  for (const toolkit of toolkits) {
    if (isNoAuth(toolkit)) {
      out.push({ toolkit, account: undefined });
      continue;
    }
    const usable = await usableAccounts(deps, session.config, toolkit);
    out.push({ toolkit, account: usable[0] ?? (await latestAccount(deps, session.config, toolkit)) });
  }
  return out;
}

/** The name a raw proxy request goes by in hooks, approval lists and `experimental.permissions` overrides. */
export const PROXY_TOOL = 'COMPOSIO_PROXY_EXECUTE';

/**
 * A raw request to a toolkit's API as the session user, through the account a tool call would use
 * (`account`, an id or alias, picks one of several), governed as a tool call is: the session's hooks
 * see it as `COMPOSIO_PROXY_EXECUTE` with the request as its arguments, and approvals count a GET as
 * a read and any other method as a write that may create, update or delete (approval-policy.ts).
 */
export async function proxyAsSessionUser(
  deps: Deps,
  session: Session,
  input: ProxyInput & { toolkit_slug: string; account?: string },
  context: ToolCallContext,
): Promise<SessionToolOutcome> {
  const toolkit = sessionToolkit(deps, session, input.toolkit_slug);
  const blocked = blockingHook(session.config.hooks, { toolkit: toolkit.slug, tool: PROXY_TOOL, arguments: input });
  if (blocked) return { kind: 'blocked', hookId: blocked.hookId, message: blocked.reason };
  const resolved = await resolveSessionConnection(deps, session.config, toolkit, input.account);
  if (!('connection' in resolved)) return unresolvedOutcome(deps, session, resolved, PROXY_TOOL);
  const verdict = await approvalVerdict(
    deps,
    session,
    {
      toolkit: toolkit.slug,
      toolkitName: toolkit.name,
      tool: PROXY_TOOL,
      toolName: `A ${input.method} request to ${toolkit.name}`,
      tags: proxyTags(input.method),
      accountId: resolved.account?.id ?? null,
      arguments: input,
    },
    context.answers,
  );
  if (verdict.kind !== 'run') return governedOutcome(verdict, context);
  if (verdict.spend && !(await verdict.spend())) {
    return { kind: 'refused', message: 'The request was not sent: its approval was used by another call.' };
  }
  return { kind: 'result', result: await executeProxy(toolkit, input, resolved.connection, executionOptions(deps)) };
}

/** The proxy answer as a meta tool's envelope: Composio's `{status, data, headers}` in `data`, or what stopped it. */
export function proxyEnvelope(outcome: SessionToolOutcome): ToolResult {
  if (outcome.kind !== 'result') return outcomeEnvelope(outcome);
  const { result } = outcome;
  return { data: proxyAnswer(result), error: result.error, successful: result.successful };
}
