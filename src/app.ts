import { Hono } from 'hono';
import { getPath } from 'hono/utils/url';
import { secureHeaders } from 'hono/secure-headers';
import { healthRoutes } from './api/health.ts';
import { apiRouter } from './api/router.ts';
import { connectRouter, connectTooLarge } from './connect/router.ts';
import { approvalRoutes } from './connect/approval-routes.ts';
import { consoleRouter } from './console/router.ts';
import { authServerRouter } from './authserver/router.ts';
import { mcpRoutes, mcpTooLarge } from './mcp/route.ts';
import type { Deps } from './deps.ts';
import { AppError } from './errors.ts';
import { accessLog } from './http/access-log.ts';
import { unredacted } from './log.ts';
import { limitBody } from './http/body-limit.ts';
import type { AppEnv } from './http/env.ts';
import { errorHandler, notFoundHandler } from './http/error-handler.ts';
import { requestId } from './http/request-id.ts';
import { metricsRoutes, requestMetrics } from './http/metrics.ts';

export const API_PREFIXES = ['/api/v3', '/api/v3.1'] as const;

/**
 * What stands in front of every route, in the order it runs: the request id, metrics, the access log,
 * the response headers, the one body limit, and the end-of-request work (keep-alive while draining,
 * an unread body read away). Both apps below are made from it, so a request meets the same edge
 * whichever app serves it.
 */
function withEdge(deps: Deps): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.use('*', requestId());
  // counted only where someone can read them: without a metrics token `/metrics` does not exist
  if (deps.config.metricsToken) app.use('*', requestMetrics(deps));
  app.use('*', accessLog(unredacted(deps.log)));
  // a surface that sets one of these itself keeps its own (the console: X-Frame-Options DENY, a same-origin referrer)
  const documentHeaders = secureHeaders({ overwrite: false });
  app.use('*', async (c, next) => {
    // MCP answers are JSON-RPC for programs, never rendered or framed: of the dozen headers that guard a
    // page only `nosniff` means anything there, and the rest cost every tool call (profiled, `npm run bench`)
    if (!c.req.path.startsWith('/tool_router/')) return documentHeaders(c, next);
    await next();
    c.res.headers.set('X-Content-Type-Options', 'nosniff');
  });
  // One limit in front of every route, so no handler (hosted form, MCP, REST, any later one) parses a
  // body over it; chunked bodies are counted as they arrive. The answer takes the shape of the surface.
  app.use(
    '*',
    limitBody(deps.config.maxBodyBytes, (c) => {
      if (c.req.path.startsWith('/link/') || c.req.path.startsWith('/approve/')) return connectTooLarge(c, deps.config.branding);
      if (c.req.path.startsWith('/tool_router/')) return mcpTooLarge(c);
      throw new AppError('PAYLOAD_TOO_LARGE');
    }),
  );
  app.use('*', async (c, next) => {
    await next();
    // while draining, close each connection after its answer so keep-alive sockets do not hold shutdown open
    if (deps.lifecycle.draining) c.header('Connection', 'close');
    // An answer given before the body was read (401, 415, 404) would leave the body on the socket and
    // the connection closed under a client about to reuse it; read it away when it is within the limit.
    // (bodyUsed and the header first: asking for `body` makes node-server build a whole web Request)
    const raw = c.req.raw;
    if (raw.bodyUsed) return;
    const length = Number(raw.headers.get('content-length') ?? 'NaN');
    if (length > 0 && length <= deps.config.maxBodyBytes && raw.body) await raw.arrayBuffer().catch(() => undefined);
  });
  app.notFound(notFoundHandler);
  app.onError(errorHandler(deps.log));
  return app;
}

/** `/tool_router/{id}/mcp`: the one route of the MCP app, told apart by its path alone. */
const MCP_PATH = /^\/tool_router\/[^/]+\/mcp$/;

/**
 * The whole HTTP surface of one process: health, the REST API under both generations, MCP, the
 * Connect and approval pages, the console. MCP requests, a tool call each, go to an app of their own
 * with the same edge: the main app's router is a trie over some two hundred routes (the REST API's
 * `/tools/:slug` beside `/tools/execute/:slug` rules out Hono's precompiled RegExpRouter), and
 * searching it was the largest single step of a tool call that latchkey adds (profiled under
 * `npm run bench`); telling the MCP path apart is one regular expression.
 */
export function createApp(deps: Deps) {
  const mcp = withEdge(deps);
  mcp.route('/', mcpRoutes(deps));
  const app = withEdge(deps);
  app.route('/', healthRoutes(deps));
  app.route('/', metricsRoutes(deps));
  // before the REST API: the OAuth callback lives under /api/v3 but is authorised by state, not an API key
  app.route('/', connectRouter(deps));
  app.route('/', approvalRoutes(deps));
  // listed here too, so this app's routes are the whole surface (what the hardening tests walk); the
  // requests themselves never get this far
  app.route('/', mcpRoutes(deps));
  app.route('/', authServerRouter(deps));
  app.route('/console', consoleRouter(deps));
  // a person who opens the server's address lands on the console (its sign-in when not signed in)
  app.get('/', (c) => c.redirect('/console', 303));
  const api = apiRouter(deps);
  for (const prefix of API_PREFIXES) app.route(prefix, api);
  const everythingElse = app.fetch;
  app.fetch = (request, env, executionCtx) =>
    MCP_PATH.test(getPath(request)) ? mcp.fetch(request, env, executionCtx) : everythingElse(request, env, executionCtx);
  return app;
}
