import type { Deps } from '../../../deps.ts';
import type { ToolResult } from '../../../execution/execute.ts';
import type { Session } from '../../session.ts';
import { connectionStatus, toolkitsOf } from '../connection-status.ts';
import { ok, stringList, type MetaTool } from '../meta-tool.ts';

async function waitForConnections(deps: Deps, session: Session, args: Record<string, unknown>): Promise<ToolResult> {
  const toolkits = toolkitsOf(deps, session, args.toolkits as string[]);
  // the schema holds mode to any/all and timeout_seconds to 1…60, and fills in their defaults
  const mode = args.mode === 'all' ? 'all' : 'any';
  const timeout = Number(args.timeout_seconds ?? 60) * 1000;
  const deadline = Date.now() + timeout;
  for (;;) {
    const statuses = await Promise.all(toolkits.map(async (t) => ({ toolkit: t, status: await connectionStatus(deps, session, t) })));
    const connected = statuses.filter((s) => s.status.has_active_connection).length;
    const done = mode === 'all' ? connected === toolkits.length : connected > 0;
    if (done || Date.now() >= deadline) {
      const results = Object.fromEntries(
        statuses.map(({ toolkit, status }) => [
          toolkit.slug,
          {
            toolkit: toolkit.slug,
            status: status.has_active_connection ? 'ACTIVE' : 'INITIATED',
            has_active_connection: status.has_active_connection,
            connected_account_id: status.account?.id ?? null,
            current_user_info: status.account ? { identity: status.account.connectionData.identity ?? null } : null,
          },
        ]),
      );
      return ok({ message: done ? 'Connected.' : 'Timed out waiting for the user to connect.', results, session: { id: session.id } });
    }
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
}

export const waitForConnectionsTool: MetaTool = {
  name: 'COMPOSIO_WAIT_FOR_CONNECTIONS',
  description: 'Wait (up to 60 seconds) until the user finishes connecting the given toolkits.',
  inputSchema: {
    type: 'object',
    properties: {
      toolkits: stringList('Toolkit slugs', { minItems: 1, maxItems: 20 }),
      mode: { type: 'string', enum: ['any', 'all'], default: 'any' },
      timeout_seconds: { type: 'integer', minimum: 1, maximum: 60, default: 60 },
    },
    required: ['toolkits'],
  },
  annotations: { readOnlyHint: true, idempotentHint: true },
  listed: (config) => config.manageConnections.enabled && config.manageConnections.waitForConnections,
  run: waitForConnections,
};
