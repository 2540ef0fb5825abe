import type { Deps } from '../deps.ts';
import { refreshRepo } from '../../storage/repos/refresh.ts';
import { refreshableModes } from '../schemes/registry.ts';
import { refreshAccount } from './refresh-account.ts';

const PAGE = 200;
const CONCURRENCY = 8;

/**
 * One pass of the background refresher: pages through accounts expiring within twice the margin (so
 * they are refreshed before a call would have to wait) or idle for too long, refreshing a few at a time.
 */
export async function refreshDue(deps: Deps): Promise<number> {
  const now = deps.clock.now();
  const repo = refreshRepo(deps.db);
  let afterId = '';
  let count = 0;
  for (;;) {
    const ids = await repo.listDue(
      refreshableModes(),
      now,
      now + 2 * deps.config.refresh.marginMs,
      now - deps.config.refresh.idleMs,
      afterId,
      PAGE,
    );
    if (ids.length === 0) break;
    for (let i = 0; i < ids.length; i += CONCURRENCY) {
      await Promise.all(
        ids
          .slice(i, i + CONCURRENCY)
          .map((id) =>
            refreshAccount(deps, id).catch((error: Error) =>
              deps.log.error({ connected_account_id: id, err: { name: error.name, stack: error.stack } }, 'background refresh crashed'),
            ),
          ),
      );
    }
    count += ids.length;
    afterId = ids[ids.length - 1]!;
    if (ids.length < PAGE) break;
  }
  return count;
}
