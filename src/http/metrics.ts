import { Hono, type MiddlewareHandler } from 'hono';
import type { Deps } from '../deps.ts';
import { AppError } from '../errors.ts';
import { hashSecret, sameSecret } from '../ids.ts';
import { recordEndedCalls } from '../services/execution-log.ts';
import { metricsOf } from '../services/metrics.ts';
import type { AppEnv } from './env.ts';

/**
 * Counts every answer by method, route pattern and status. The pattern is the one Hono matched
 * (`/api/v3.1/connected_accounts/:id`, `/tool_router/:id/mcp`), read after the answer: never the
 * raw path, so no id or token becomes a label. A request no route matched counts as `unmatched`.
 */
export function requestMetrics(deps: Deps): MiddlewareHandler<AppEnv> {
  const requests = metricsOf(deps).requests;
  return async (c, next) => {
    await next();
    const route = c.req.routePath;
    requests.inc({ method: c.req.method, route: route === '/*' ? 'unmatched' : route, status: c.res.status });
  };
}

/**
 * `GET /metrics`, Prometheus text format, for a scraper holding LATCHKEY_METRICS_TOKEN as a bearer
 * token. Unset, the route answers 404 as any unknown path does, so nothing shows it exists.
 */
export function metricsRoutes(deps: Deps) {
  const routes = new Hono<AppEnv>();
  const token = deps.config.metricsToken;
  if (!token) return routes;
  const expected = hashSecret(`Bearer ${token}`);
  return routes.get('/metrics', async (c) => {
    // compared by hash in constant time: neither the token's length nor its prefix leaks
    if (!sameSecret(hashSecret(c.req.header('authorization') ?? ''), expected)) {
      c.header('WWW-Authenticate', 'Bearer realm="metrics"');
      throw new AppError('METRICS_TOKEN_INVALID');
    }
    recordEndedCalls(deps);
    const registry = metricsOf(deps).registry;
    return c.body(await registry.metrics(), 200, { 'content-type': registry.contentType });
  });
}
