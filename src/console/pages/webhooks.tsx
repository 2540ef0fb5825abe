import { Hono } from 'hono';
import type { Deps } from '../../deps.ts';
import { recentDeliveries } from '../../services/operations.ts';
import { listSubscriptions } from '../../webhooks/subscriptions.ts';
import { PAGE_SIZE, pageOf, when, Table } from '../components.tsx';
import { CONSOLE_PATH, type ConsoleEnv } from '../env.ts';
import { renderPage } from '../layout.tsx';

export function webhookRoutes(deps: Deps) {
  return new Hono<ConsoleEnv>().get('/webhooks', async (c) => {
    const page = pageOf(c.req.query('page'));
    // one more than a page tells whether a next page exists without counting the outbox
    const [subscriptions, events] = await Promise.all([
      listSubscriptions(deps),
      recentDeliveries(deps, PAGE_SIZE + 1, (page - 1) * PAGE_SIZE),
    ]);
    const at = (n: number) => `${CONSOLE_PATH}/webhooks?page=${n}`;
    return renderPage(
      c,
      deps.config.branding,
      'Webhooks',
      <>
        <h2>Subscriptions</h2>
        {subscriptions.length === 0 ? (
          <p>No subscriptions.</p>
        ) : (
          <Table columns={['Subscription', 'URL', 'Events', 'Created']}>
            {subscriptions.map((s) => (
              <tr>
                <td>{s.id}</td>
                <td>{s.webhookUrl}</td>
                <td>{s.enabledEvents.join(', ')}</td>
                <td>{when(s.createdAt)}</td>
              </tr>
            ))}
          </Table>
        )}
        <h2>Recent deliveries</h2>
        {events.length === 0 ? (
          <p>No events yet.</p>
        ) : (
          <Table columns={['Event', 'Account', 'Queued', 'Attempts', 'Last status', 'Delivered / next retry']}>
            {events.slice(0, PAGE_SIZE).map((e) => (
              <tr>
                <td>
                  {e.eventType}
                  <div class="hint">
                    {e.eventId} → {e.subscriptionId}
                  </div>
                </td>
                <td>{e.accountId}</td>
                <td>{when(e.createdAt)}</td>
                <td>{e.attempts}</td>
                <td>{e.lastStatus ?? '—'}</td>
                <td>{e.deliveredAt ? `delivered ${when(e.deliveredAt)}` : `retry at ${when(e.nextAttemptAt)}`}</td>
              </tr>
            ))}
          </Table>
        )}
        <nav class="pager" aria-label="Pages">
          {page > 1 ? <a href={at(page - 1)}>Newer</a> : null}
          {events.length > PAGE_SIZE ? <a href={at(page + 1)}>Older</a> : null}
        </nav>
      </>,
    );
  });
}
