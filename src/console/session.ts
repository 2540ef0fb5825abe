import type { Context, MiddlewareHandler } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { resumeSession } from '../auth/console-sessions.ts';
import type { Deps } from '../deps.ts';
import { sameSecret } from '../ids.ts';
import { CONSOLE_PATH, type ConsoleEnv } from './env.ts';
import { refusedPage } from './pages/message.tsx';

const COOKIE = 'lk_console';

/** HttpOnly and SameSite=Strict (no other site's page sends it), Secure on an https origin, only under /console. */
export function setSessionCookie(c: Context, deps: Deps, id: string): void {
  setCookie(c, COOKIE, id, {
    path: CONSOLE_PATH,
    httpOnly: true,
    sameSite: 'Strict',
    secure: deps.config.publicUrl.startsWith('https:'),
    maxAge: Math.floor(deps.config.console.maxAgeMs / 1000),
  });
}

export const sessionCookie = (c: Context): string | undefined => getCookie(c, COOKIE);

export function clearSessionCookie(c: Context): void {
  deleteCookie(c, COOKIE, { path: CONSOLE_PATH });
}

/**
 * Where the sign-in page sends the operator back to: a console path only, so the parameter cannot lead
 * elsewhere. Judged as the browser will resolve it (WHATWG URL: `%2e%2e` is a dot segment too), and
 * answered in that resolved form.
 */
export function safeNext(next: string | undefined): string {
  if (!next?.startsWith(`${CONSOLE_PATH}/`) || /[\\\s]/.test(next)) return CONSOLE_PATH;
  const base = 'http://console.invalid';
  const resolved = new URL(next, base);
  if (resolved.origin !== base || !resolved.pathname.startsWith(`${CONSOLE_PATH}/`)) return CONSOLE_PATH;
  return `${resolved.pathname}${resolved.search}`;
}

/** Every console page but sign-in: no live sign-in, and a GET goes to the sign-in page (303) with the way back. */
export function requireSignIn(deps: Deps): MiddlewareHandler<ConsoleEnv> {
  return async (c, next) => {
    const session = await resumeSession(deps, sessionCookie(c));
    if (!session) {
      clearSessionCookie(c);
      const url = new URL(c.req.url);
      const back = c.req.method === 'GET' ? `?next=${encodeURIComponent(url.pathname + url.search)}` : '';
      return c.redirect(`${CONSOLE_PATH}/login${back}`, 303);
    }
    c.set('apiKeyId', session.apiKeyId);
    c.set('csrfToken', session.csrfToken);
    await next();
    return undefined;
  };
}

/**
 * Every POST: the Origin a browser sends must be ours (Fetch standard; a missing one is left to the
 * token), and the form's token must be the sign-in's (OWASP CSRF cheat sheet, synchronizer token).
 * `matches` checks the given token: the sign-in form, before any sign-in, checks its double-submit cookie instead.
 */
export function checkForm(
  deps: Deps,
  matches: (c: Context<ConsoleEnv>, given: string) => boolean = (c, given) => sameSecret(given, c.get('csrfToken')),
): MiddlewareHandler<ConsoleEnv> {
  const publicOrigin = new URL(deps.config.publicUrl).origin;
  return async (c, next) => {
    if (c.req.method !== 'POST') return next();
    const origin = c.req.header('origin');
    if (origin !== undefined && origin !== publicOrigin && origin !== new URL(c.req.url).origin)
      return c.html(refusedPage(deps.config.branding, 'This request came from another site.'), 403);
    const form = await c.req.parseBody();
    const given = typeof form.csrf_token === 'string' ? form.csrf_token : '';
    if (!matches(c, given))
      return c.html(refusedPage(deps.config.branding, 'This form could not be verified. Reload the page and try again.'), 403);
    await next();
    return undefined;
  };
}
