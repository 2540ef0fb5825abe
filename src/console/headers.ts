import type { MiddlewareHandler } from 'hono';
import type { Config } from '../config.ts';
import { STYLE_HASH } from './style.ts';

/**
 * The hosted pages' policy (see connect/pages.ts) for the console: no script at all, the one inline
 * style by hash, the configured logo, forms only to us, never framed (CSP Level 3 frame-ancestors, and
 * X-Frame-Options for browsers without it), nothing cached (pages show accounts and links). The
 * referrer goes to our own origin only: under `no-referrer` Chromium sends `Origin: null` with the
 * console's own forms (Fetch standard, origin serialization), and the Origin check needs ours.
 */
export function consoleHeaders(branding: Config['branding']): MiddlewareHandler {
  const policy = [
    "default-src 'none'",
    `style-src ${STYLE_HASH}`,
    branding.logoUrl ? `img-src ${new URL(branding.logoUrl).origin}` : null,
    "form-action 'self'",
    "frame-ancestors 'none'",
    "base-uri 'none'",
  ]
    .filter(Boolean)
    .join('; ');
  return async (c, next) => {
    await next();
    c.header('Content-Security-Policy', policy);
    c.header('X-Frame-Options', 'DENY');
    c.header('Cache-Control', 'no-store');
    c.header('Referrer-Policy', 'same-origin');
  };
}
