import type { Deps } from '../../../deps.ts';
import type { ToolResult } from '../../../execution/execute.ts';
import { offerLink } from '../../run-tool.ts';
import type { Session } from '../../session.ts';
import { connectionStatus, toolkitsOf } from '../connection-status.ts';
import { ok, stringList, type MetaTool } from '../meta-tool.ts';

async function manageConnections(deps: Deps, session: Session, args: Record<string, unknown>): Promise<ToolResult> {
  const toolkits = toolkitsOf(deps, session, args.toolkits as string[]);
  const results: Record<string, unknown> = {};
  let active = 0;
  let initiated = 0;
  let failed = 0;
  // each toolkit answers for itself: one that cannot be connected does not lose the others' links
  for (const toolkit of toolkits) {
    const status = await connectionStatus(deps, session, toolkit);
    if (status.has_active_connection && args.reinitiate_all !== true) {
      active += 1;
      results[toolkit.slug] = {
        toolkit: toolkit.slug,
        status: 'active',
        has_active_connection: true,
        connected_account_id: status.account?.id ?? null,
        current_user_info: status.account ? { identity: status.account.connectionData.identity ?? null } : null,
      };
      continue;
    }
    const offer = await offerLink(deps, session, toolkit);
    if ('problem' in offer) {
      failed += 1;
      results[toolkit.slug] = { toolkit: toolkit.slug, status: 'failed', has_active_connection: false, error_message: offer.problem };
      continue;
    }
    const { link } = offer;
    initiated += 1;
    results[toolkit.slug] = {
      toolkit: toolkit.slug,
      status: 'initiated',
      has_active_connection: false,
      connected_account_id: link.account.id,
      redirect_url: link.redirectUrl,
      instruction: `Show the user this link to connect ${toolkit.name}: ${link.redirectUrl}`,
      was_reinitiated: status.has_active_connection,
    };
  }
  return ok({
    message: [
      initiated > 0
        ? 'Show each redirect_url to the user; retry the task once they have connected.'
        : failed === 0
          ? 'All toolkits are connected.'
          : '',
      failed > 0 ? 'Some toolkits cannot be connected: see error_message.' : '',
    ]
      .filter(Boolean)
      .join(' '),
    results,
    summary: { total_toolkits: toolkits.length, active_connections: active, initiated_connections: initiated, failed_connections: failed },
    session: { id: session.id, instructions: '' },
  });
}

export const manageConnectionsTool: MetaTool = {
  name: 'COMPOSIO_MANAGE_CONNECTIONS',
  description:
    'Check or start the connection of toolkits for this user. For a toolkit that is not connected it returns a Connect Link: show it to the user, and retry the task after they connect.',
  inputSchema: {
    type: 'object',
    properties: {
      toolkits: stringList('Toolkit slugs, e.g. ["github"]', { minItems: 1, maxItems: 20 }),
      reinitiate_all: { type: 'boolean', default: false },
    },
    required: ['toolkits'],
  },
  annotations: { openWorldHint: true, destructiveHint: true },
  listed: (config) => config.manageConnections.enabled,
  run: manageConnections,
};
