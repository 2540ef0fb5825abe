import { Hono } from 'hono';
import { isDatabaseReachable } from '../../storage/db.ts';
import type { Deps } from '../deps.ts';
import type { AppEnv } from '../http/env.ts';

/** Readiness: 200 while the database answers and the process is not draining, 503 otherwise. */
export function healthRoutes(deps: Deps) {
  return new Hono<AppEnv>().get('/health', async (c) => {
    const database = await isDatabaseReachable(deps.db);
    const ready = database && !deps.lifecycle.draining;
    return c.json(
      {
        status: ready ? 'ok' : 'unavailable',
        checks: { database: database ? 'ok' : 'failing', accepting_requests: !deps.lifecycle.draining },
        toolkits: deps.catalogue.toolkits.length,
        tools: deps.catalogue.toolCount,
      },
      ready ? 200 : 503,
    );
  });
}
