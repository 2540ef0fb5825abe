import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { CacheSlot, type Deps } from '../deps.ts';
import { outboxRepo } from '../../storage/repos/webhooks.ts';

/**
 * The app's Prometheus instruments, in a registry of its own (never prom-client's global one), so
 * two apps in one process (tests, a console beside the server) count apart. Labels are bounded sets:
 * route patterns, toolkit slugs of the catalogue, outcomes; never a raw path, an id or a token.
 */
export interface Metrics {
  registry: Registry;
  requests: Counter<'method' | 'route' | 'status'>;
  toolCalls: Counter<'toolkit' | 'outcome'>;
  toolDuration: Histogram<'toolkit' | 'outcome'>;
  refreshes: Counter<'outcome'>;
  connectionEvents: Counter<'event'>;
  logRowsDropped: Counter;
}

function createMetrics(deps: Deps): Metrics {
  const registry = new Registry();
  const registers = [registry];
  const metrics: Metrics = {
    registry,
    requests: new Counter({
      name: 'latchkey_http_requests_total',
      help: 'HTTP requests answered, by method, route pattern and status',
      labelNames: ['method', 'route', 'status'],
      registers,
    }),
    toolCalls: new Counter({
      name: 'latchkey_tool_calls_total',
      help: 'Tool calls (REST, session, MCP, multi-execute, proxy), by toolkit and outcome',
      labelNames: ['toolkit', 'outcome'],
      registers,
    }),
    toolDuration: new Histogram({
      name: 'latchkey_tool_call_duration_seconds',
      help: 'How long a tool call took, upstream included, by toolkit and outcome',
      labelNames: ['toolkit', 'outcome'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers,
    }),
    refreshes: new Counter({
      name: 'latchkey_token_refreshes_total',
      help: 'Token refresh attempts, by outcome (refreshed, fresh, expired, backoff, not_refreshable)',
      labelNames: ['outcome'],
      registers,
    }),
    connectionEvents: new Counter({
      name: 'latchkey_connection_events_total',
      help: 'Connected account events: links created, connections ACTIVE, FAILED, EXPIRED, refreshed, revoked, deleted',
      labelNames: ['event'],
      registers,
    }),
    logRowsDropped: new Counter({
      name: 'latchkey_log_rows_dropped_total',
      help: 'Execution log rows dropped because the write buffer was full or a flush failed',
      registers,
    }),
  };
  // the outbox is read when scraped, not kept up to date on every write: one query for both gauges,
  // which a scrape collects together
  let backlog: Promise<{ count: number; oldestAt: number | null }> | null = null;
  const readBacklog = () =>
    (backlog ??= outboxRepo(deps.db)
      .backlog()
      .finally(() => {
        backlog = null;
      }));
  new Gauge({
    name: 'latchkey_webhook_outbox_depth',
    help: 'Webhook events not yet delivered',
    registers,
    async collect() {
      this.set((await readBacklog()).count);
    },
  });
  new Gauge({
    name: 'latchkey_webhook_outbox_oldest_age_seconds',
    help: 'Age of the oldest undelivered webhook event (0 when none)',
    registers,
    async collect() {
      const { oldestAt } = await readBacklog();
      this.set(oldestAt === null ? 0 : Math.max(0, (deps.clock.now() - oldestAt) / 1000));
    },
  });
  return metrics;
}

// a slot can only build from nothing; the deps it needs are handed in on first use
const METRICS = new CacheSlot('metrics', () => ({ instance: null as Metrics | null }));

export function metricsOf(deps: Deps): Metrics {
  const slot = deps.caches.get(METRICS);
  return (slot.instance ??= createMetrics(deps));
}
