import { Hono } from 'hono';
import type { Deps } from '../../deps.ts';
import { recentDeliveries } from '../../services/operations.ts';
import { listSubscriptions } from '../../webhooks/subscriptions.ts';
import { PAGE_SIZE, pageOf, when } from '../components.tsx';
import { CONSOLE_PATH, type ConsoleEnv } from '../env.ts';
import { documentOf, Layout } from '../layout.tsx';

export function webhookRoutes(deps: Deps) {
  return new Hono<ConsoleEnv>().get('/webhooks', async (c) => {
    const page = pageOf(c.req.query('page'));
    // one more than a page tells whether a next page exists without counting the outbox
    const [subscriptions, events] = await Promise.all([
      listSubscriptions(deps),
      recentDeliveries(deps, PAGE_SIZE + 1, (page - 1) * PAGE_SIZE),
    ]);
    const at = (n: number) => `${CONSOLE_PATH}/webhooks?page=${n}`;
    return c.html(
      documentOf(
        <Layout branding={deps.config.branding} title="Webhooks" csrfToken={c.get('csrfToken')}>
          <h2>Subscriptions</h2>
          {subscriptions.length === 0 ? (
            <p>No subscriptions.</p>
          ) : (
            <table>
              <thead>
                <tr>
                  <th scope="col">Subscription</th>
                  <th scope="col">URL</th>
                  <th scope="col">Events</th>
                  <th scope="col">Created</th>
                </tr>
              </thead>
              <tbody>
                {subscriptions.map((s) => (
                  <tr>
                    <td>{s.id}</td>
                    <td>{s.webhookUrl}</td>
                    <td>{s.enabledEvents.join(', ')}</td>
                    <td>{when(s.createdAt)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          <h2>Recent deliveries</h2>
          {events.length === 0 ? (
            <p>No events yet.</p>
          ) : (
            <table>
              <thead>
                <tr>
                  <th scope="col">Event</th>
                  <th scope="col">Account</th>
                  <th scope="col">Queued</th>
                  <th scope="col">Attempts</th>
                  <th scope="col">Last status</th>
                  <th scope="col">Delivered / next retry</th>
                </tr>
              </thead>
              <tbody>
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
              </tbody>
            </table>
          )}
          <nav class="pager" aria-label="Pages">
            {page > 1 ? <a href={at(page - 1)}>Newer</a> : null}
            {events.length > PAGE_SIZE ? <a href={at(page + 1)}>Older</a> : null}
          </nav>
        </Layout>,
      ),
    );
  });
}
