import type { Deps } from '../deps.ts';
import { isDatabaseReachable } from '../../storage/db.ts';

/** Whether this process should get traffic: the database answers and it is not draining for shutdown. */
export async function readiness(deps: Deps): Promise<{ database: boolean; accepting: boolean }> {
  return { database: await isDatabaseReachable(deps.db), accepting: !deps.lifecycle.draining };
}
