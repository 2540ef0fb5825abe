import { Hono } from 'hono';
import type { Deps } from '../../deps.ts';
import { overview } from '../../services/operations.ts';
import { AccountsTable, when } from '../components.tsx';
import { CONSOLE_PATH, type ConsoleEnv } from '../env.ts';
import { renderPage } from '../layout.tsx';

const STATUSES = ['ACTIVE', 'INITIATED', 'FAILED', 'EXPIRED', 'INACTIVE', 'REVOKED'];

export function overviewRoutes(deps: Deps) {
  return new Hono<ConsoleEnv>().get('/', async (c) => {
    const o = await overview(deps);
    const known = new Set([...STATUSES, ...Object.keys(o.byStatus)]);
    return renderPage(
      c,
      deps.config.branding,
      'Overview',
      <>
        <h2>Accounts by status</h2>
        <div class="cards">
          {[...known].map((status) => (
            <div class="card">
              <a href={`${CONSOLE_PATH}/accounts?status=${status}`}>{status}</a>
              <div>
                <strong>{o.byStatus[status] ?? 0}</strong>
              </div>
            </div>
          ))}
        </div>
        <h2>Refresh health</h2>
        <div class="cards">
          <div class="card">
            Tokens expiring within the refresh margin: <strong>{o.refresh.dueSoon}</strong>
          </div>
          <div class="card">
            Active accounts whose last refresh failed: <strong>{o.refresh.failing}</strong>
          </div>
        </div>
        <h2>Webhook backlog</h2>
        <div class="cards">
          <div class="card">
            Undelivered events: <strong>{o.webhooks.pending}</strong>
          </div>
          <div class="card">
            Oldest waiting since: <strong>{when(o.webhooks.oldestPendingAt)}</strong>
          </div>
        </div>
        <p>
          <a href={`${CONSOLE_PATH}/webhooks`}>Deliveries and retries</a>
        </p>
        <h2>Recent failures</h2>
        <AccountsTable accounts={o.recentFailures} />
      </>,
    );
  });
}
