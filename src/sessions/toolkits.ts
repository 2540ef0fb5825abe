import type { ToolkitFile } from '../catalogue/schema.ts';
import { isNoAuth } from '../schemes/registry.ts';
import type { Deps } from '../deps.ts';
import { AppError } from '../errors.ts';
import { executeProxy, proxyAnswer, type ToolResult } from '../execution/execute.ts';
import type { ProxyInput } from '../execution/proxy.ts';
import { executionOptions } from '../services/tool-execution.ts';
import type { ConnectedAccount } from '../../storage/domain.ts';
import { latestAccount, resolveSessionConnection, usableAccounts } from './accounts.ts';
import { outcomeEnvelope, unresolvedOutcome } from './run-tool.ts';
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
 * (`account`, an id or alias, picks one of several). For REST it answers the engine's result and
 * refuses a toolkit with no account to use. A meta tool names itself in `asTool` and gets a tool's
 * answer: the upstream's status, body and headers in `data`, or a Connect Link to show.
 */
export async function proxyAsSessionUser(
  deps: Deps,
  session: Session,
  input: ProxyInput & { toolkit_slug: string; account?: string },
  asTool?: string,
): Promise<ToolResult> {
  const toolkit = sessionToolkit(deps, session, input.toolkit_slug);
  const resolved = await resolveSessionConnection(deps, session.config, toolkit, input.account);
  if (!('connection' in resolved)) {
    if (asTool) return outcomeEnvelope(await unresolvedOutcome(deps, session, resolved, asTool));
    throw new AppError('NO_CONNECTED_ACCOUNT', {
      message: `${toolkit.name} is not connected for this user (or needs an explicit account).`,
    });
  }
  const result = await executeProxy(toolkit, input, resolved.connection, executionOptions(deps));
  return asTool ? { data: proxyAnswer(result), error: result.error, successful: result.successful } : result;
}
