import { Hono } from 'hono';
import type { Deps } from '../deps.ts';
import { AppError } from '../errors.ts';
import type { ConsoleEnv } from './env.ts';
import { consoleHeaders } from './headers.ts';
import { accountRoutes } from './pages/accounts.tsx';
import { authConfigRoutes } from './pages/auth-configs.tsx';
import { logRoutes } from './pages/log.tsx';
import { loginRoutes } from './pages/login.tsx';
import { messagePage } from './pages/message.tsx';
import { overviewRoutes } from './pages/overview.tsx';
import { toolkitRoutes } from './pages/toolkits.tsx';
import { userRoutes } from './pages/users.tsx';
import { webhookRoutes } from './pages/webhooks.tsx';
import { checkForm, requireSignIn } from './session.ts';

/**
 * The operator console, mounted at /console: sign-in first, then every page behind a live sign-in and
 * every POST behind the Origin and token checks. Pages read and write through the services the REST
 * API uses, so the console can do nothing the API cannot.
 */
export function consoleRouter(deps: Deps) {
  const branding = deps.config.branding;
  const router = new Hono<ConsoleEnv>();
  router.use('*', consoleHeaders(branding));
  router.route('/', loginRoutes(deps));
  router.use('*', requireSignIn(deps), checkForm(deps));
  for (const routes of [overviewRoutes, userRoutes, accountRoutes, authConfigRoutes, toolkitRoutes, webhookRoutes, logRoutes])
    router.route('/', routes(deps));
  router.all('*', (c) => c.html(messagePage(branding, 'Not found', 'There is no console page here.', c.get('csrfToken')), 404));
  // a service's refusal (no such account, a disabled config) as a page; anything else is the app's 500
  router.onError((error, c) => {
    if (!(error instanceof AppError)) throw error;
    return c.html(messagePage(branding, 'Not done', error.message, c.get('csrfToken')), error.status as 400);
  });
  return router;
}
