import type { ToolkitFile } from '../catalogue/schema.ts';
import { isNoAuth } from '../schemes/registry.ts';
import type { Deps } from '../deps.ts';
import { AppError } from '../errors.ts';
import { executeProxy, proxyAnswer, type ToolResult } from '../execution/execute.ts';
import type { ProxyInput } from '../execution/proxy.ts';
import { executionOptions } from '../services/tool-execution.ts';
import type { ConnectedAccount } from '../../storage/domain.ts';
import { latestAccount, usableAccounts } from './accounts.ts';
import { PROXY_TAGS, PROXY_TOOL } from './approval-policy.ts';
import type { ToolCallContext } from './call-context.ts';
import { outcomeEnvelope, prepareGoverned, type SessionToolOutcome } from './run-tool.ts';
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

/**
 * A raw request to a toolkit's API as the session user, through the account a tool call would use
 * (`account`, an id or alias, picks one of several), governed as a tool call is (run-tool.ts
 * `prepareGoverned`): hooks see it as `COMPOSIO_PROXY_EXECUTE` with the request as its arguments (and
 * a hook on any tool of the toolkit blocks it), approvals count it as a write whatever its method, a
 * toolkit with tools listed for approval asks for every raw request to it, and a yes to one never
 * holds for the rest of the session.
 */
export async function proxyAsSessionUser(
  deps: Deps,
  session: Session,
  input: ProxyInput & { toolkit_slug: string; account?: string },
  context: ToolCallContext,
): Promise<SessionToolOutcome> {
  const toolkit = sessionToolkit(deps, session, input.toolkit_slug);
  const prepared = await prepareGoverned(
    deps,
    session,
    {
      toolkit,
      tool: PROXY_TOOL,
      toolName: `A ${input.method} request to ${toolkit.name}`,
      tags: PROXY_TAGS,
      arguments: input,
      account: input.account,
      grantable: false,
      rawFor: new Set(toolkit.tools.map((tool) => tool.slug)),
      send: async (resolved) => ({
        kind: 'result',
        result: await executeProxy(toolkit, input, resolved.connection, executionOptions(deps)),
      }),
    },
    context,
  );
  return prepared.kind === 'ready' ? prepared.start() : prepared.outcome;
}

/** The proxy answer as a meta tool's envelope: Composio's `{status, data, headers}` in `data`, or what stopped it. */
export function proxyEnvelope(outcome: SessionToolOutcome): ToolResult {
  if (outcome.kind !== 'result') return outcomeEnvelope(outcome);
  const { result } = outcome;
  return { data: proxyAnswer(result), error: result.error, successful: result.successful };
}
