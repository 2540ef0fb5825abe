import { Hono } from 'hono';
import type { Deps } from '../deps.ts';
import type { AppEnv } from '../http/env.ts';
import { readiness } from '../services/health.ts';

/** Readiness: 200 while the database answers and the process is not draining, 503 otherwise. */
export function healthRoutes(deps: Deps) {
  return new Hono<AppEnv>().get('/health', async (c) => {
    const { database, accepting } = await readiness(deps);
    const ready = database && accepting;
    return c.json(
      {
        status: ready ? 'ok' : 'unavailable',
        checks: { database: database ? 'ok' : 'failing', accepting_requests: accepting },
        toolkits: deps.catalogue.toolkits.length,
        tools: deps.catalogue.toolCount,
      },
      ready ? 200 : 503,
    );
  });
}
