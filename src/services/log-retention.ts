import type { Deps } from '../deps.ts';
import { activityLogRepo } from '../../storage/repos/activity-log.ts';

const DAY_MS = 86_400_000;

/** How often the background loop purges (it also runs once shortly after start). */
export const PURGE_INTERVAL_MS = 3_600_000;

/** Drops execution and audit log rows older than LATCHKEY_LOG_RETENTION_DAYS; returns how many went. */
export async function purgeExpiredLog(deps: Deps): Promise<number> {
  return activityLogRepo(deps.db).purgeBefore(deps.clock.now() - deps.config.activityLog.retentionDays * DAY_MS);
}
