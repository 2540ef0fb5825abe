import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { Context } from 'hono';
import { getCookie, setCookie } from 'hono/cookie';

/**
 * The double-submit token of a hosted form (OWASP CSRF cheat sheet, "signed double-submit" without the
 * signature: the cookie is HttpOnly, SameSite=Strict and scoped to the form's own path), on top of the
 * Origin check hono's `csrf()` makes in front of every POST here.
 */

const COOKIE = 'lk_csrf';

/** The token for a form at `path`: the one this browser already holds (a re-shown form, a second tab), else a new one. */
export function issueCsrfToken(c: Context, path: string, secure: boolean): string {
  const existing = getCookie(c, COOKIE);
  const token = existing && /^[A-Za-z0-9_-]{32}$/.test(existing) ? existing : randomBytes(24).toString('base64url');
  setCookie(c, COOKIE, token, { path, httpOnly: true, sameSite: 'Strict', secure, maxAge: 900 });
  return token;
}

/** Whether a submitted form carries the token its browser's cookie holds. */
export function csrfTokenMatches(c: Context, given: string | undefined): boolean {
  const cookie = getCookie(c, COOKIE);
  const sent = given ?? '';
  return Boolean(cookie) && cookie!.length === sent.length && timingSafeEqual(Buffer.from(cookie!), Buffer.from(sent));
}
