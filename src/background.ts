import type { Deps } from './deps.ts';
import { refreshDue } from './refresh/scheduler.ts';
import { expireAbandonedAccounts } from './services/account-state.ts';
import { deliverDue } from './delivery/deliver.ts';
import { PURGE_INTERVAL_MS, purgeExpiredLog } from './services/log-retention.ts';

/**
 * The process's background work: the token refresher, the expiry of abandoned connections, the
 * webhook deliverer and the execution and audit log's retention, each a loop that never overlaps itself. Every process of a deployment may run
 * them: leases and claims in the database keep them from doing the same work twice.
 */
export function startBackground(deps: Deps, options: { webhookIntervalMs?: number } = {}) {
  const timers: NodeJS.Timeout[] = [];
  const running = new Set<Promise<unknown>>();
  let stopped = false;

  const loop = (name: string, intervalMs: number, work: () => Promise<unknown>) => {
    if (intervalMs <= 0) return;
    const tick = async () => {
      if (stopped) return;
      const run = work().catch((error: Error) =>
        deps.log.error({ loop: name, err: { name: error.name, stack: error.stack } }, 'background loop failed'),
      );
      running.add(run);
      await run;
      running.delete(run);
      if (!stopped) timers.push(setTimeout(tick, intervalMs).unref());
    };
    timers.push(setTimeout(tick, Math.min(intervalMs, 250)).unref());
  };

  loop('refresh', deps.config.refresh.intervalMs, () => refreshDue(deps));
  // reads already show abandoned connections as EXPIRED; this writes it down for everything else
  loop('expire-abandoned', deps.config.refresh.intervalMs, () => expireAbandonedAccounts(deps));
  loop('webhooks', options.webhookIntervalMs ?? deps.config.webhookIntervalMs, async () => {
    while ((await deliverDue(deps)) > 0 && !stopped) {
      // keep draining while there is work
    }
  });

  loop('log-retention', PURGE_INTERVAL_MS, () => purgeExpiredLog(deps));

  return {
    /** stops scheduling and waits for the work in progress */
    async stop() {
      stopped = true;
      for (const t of timers) clearTimeout(t);
      await Promise.all(running);
    },
  };
}
