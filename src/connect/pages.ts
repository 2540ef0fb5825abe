import { createHash } from 'node:crypto';
import type { Context } from 'hono';
import { html, raw } from 'hono/html';
import type { HtmlEscapedString } from 'hono/utils/html';
import type { Config } from '../config.ts';
import type { Logo } from './logos.ts';
import { MESSAGES, negotiateLocale, type Locale, type Messages } from './messages/index.ts';

/**
 * The frame of every hosted page (Connect, approval, MCP consent): plain server-rendered HTML through
 * hono's `html` template, which escapes every interpolated value (toolkit names, field labels, error
 * text) so nothing a toolkit file or a user typed can inject markup. Hono's JSX would escape the same
 * way; a tagged template needs no compiler settings and keeps each page one readable function.
 */
export type Body = HtmlEscapedString | Promise<HtmlEscapedString>;
type Branding = Config['branding'];

/** What a page is rendered with: the operator's branding and the reader's language. */
export interface View {
  branding: Branding;
  locale: Locale;
  t: Messages;
}

export function pageView(c: Context, branding: Branding): View {
  const locale = negotiateLocale(c);
  return { branding, locale, t: MESSAGES[locale] };
}

const STYLE_TEXT = `
*{box-sizing:border-box}
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans","PingFang SC","Microsoft YaHei",sans-serif;background:#f3f4f6;color:#1d2330;margin:0;padding:16px;line-height:1.5}
.brand{max-width:440px;margin:6vh auto 12px;display:flex;gap:10px;align-items:center;color:#4b5563}
.brand img{height:28px;max-width:160px}
main{max-width:440px;margin:0 auto 24px;background:#fff;border-radius:12px;padding:28px 24px;box-shadow:0 1px 3px rgba(0,0,0,.1),0 6px 20px rgba(0,0,0,.06);overflow-wrap:anywhere}
.logos{display:flex;justify-content:center;margin-bottom:16px}
.logo{width:48px;height:48px;flex:none;object-fit:contain}
.badge{display:inline-flex;align-items:center;justify-content:center;border-radius:50%;background:#e5e7eb;color:#374151;font-weight:700;font-size:1.4rem}
h1{font-size:1.3rem;line-height:1.3;margin:0 0 12px;text-align:center}
p{margin:0 0 12px}
.state{display:block;margin:0 auto 12px}.success{color:#15803d}.failure{color:#b91c1c}.warning{color:#b45309}.ask{color:#2f5bea}
.centered{text-align:center}
.who{background:#f3f4f6;border-radius:8px;padding:10px 12px}
label{display:block;margin:16px 0 4px;font-weight:600}
input{width:100%;padding:10px;border:1px solid #868e9c;border-radius:6px;font-size:1rem;color:inherit}
.hint{color:#4b5563;font-size:.875rem;margin-top:4px}
.error{background:#fdecec;color:#8a1c1c;padding:10px 12px;border-radius:6px}
dl{display:grid;grid-template-columns:auto 1fr;gap:4px 12px;margin:0 0 12px}dt{color:#4b5563}dd{margin:0;font-weight:600;min-width:0}
pre{background:#f3f4f6;padding:10px;border-radius:6px;overflow:auto;max-height:40vh;font-size:.85rem;white-space:pre-wrap;word-break:break-word;margin:0 0 12px}
code{overflow-wrap:anywhere}
.button{display:block;width:100%;margin-top:12px;padding:12px;border:1px solid #2f5bea;border-radius:8px;background:#2f5bea;color:#fff;font:inherit;font-weight:600;text-align:center;text-decoration:none;cursor:pointer}
.button.secondary{background:#fff;color:#1d2330;border-color:#868e9c}
.close{color:#4b5563;text-align:center;margin:16px 0 0}
:focus-visible{outline:3px solid #1d4ed8;outline-offset:2px}
@media (max-width:480px){body{padding:8px 12px}.brand{margin-top:8px}main{padding:20px 16px}}
`;
const STYLE = raw(STYLE_TEXT);
const STYLE_HASH = `'sha256-${createHash('sha256').update(STYLE_TEXT).digest('base64')}'`;

/**
 * The Content-Security-Policy of every hosted page (CSP Level 3): nothing loads but our one inline
 * style (by hash, not 'unsafe-inline'), the configured logo and the page's toolkit logo when that is
 * an image URL (`imgSources`: exact URLs, not whole origins); no script at all; no framing
 * (clickjacking a credentials form); forms post only to us. `formTargets` are the sources a form's
 * answer may redirect to: Chromium checks form-action on every redirect that follows a submission
 * (CSP Level 3, form-action), so a form whose answer sends the browser on to the provider or to the
 * app's callback must name them.
 */
export function contentSecurityPolicy(branding: Branding, formTargets: string[] = [], imgSources: string[] = []): string {
  const images = new Set([...(branding.logoUrl ? [new URL(branding.logoUrl).origin] : []), ...imgSources]);
  return [
    "default-src 'none'",
    `style-src ${STYLE_HASH}`,
    images.size > 0 ? `img-src ${[...images].join(' ')}` : null,
    `form-action ${["'self'", ...new Set(formTargets)].join(' ')}`,
    "frame-ancestors 'none'",
    "base-uri 'none'",
  ]
    .filter(Boolean)
    .join('; ');
}

/** A rendered hosted page, with what its headers need to know. */
export interface HostedPage {
  html: Body;
  branding: Branding;
  locale: Locale;
  imgSources: string[];
}

/**
 * The page frame: `lang` for screen readers and translation tools, the operator's name and logo as
 * the banner, the page itself as `main` (WCAG 1.3.1: landmarks), one `h1` (each page's own).
 */
export function page(view: View, options: { title: string; body: Body; logo?: Logo }): HostedPage {
  const { branding, locale } = view;
  return {
    branding,
    locale,
    imgSources: options.logo?.imgSource ? [options.logo.imgSource] : [],
    html: html`<!doctype html>
<html lang="${locale}">
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <meta name="referrer" content="no-referrer" />
    <title>${options.title} · ${branding.appTitle}</title>
    <style>${STYLE}</style>
  </head>
  <body>
    <header class="brand">${branding.logoUrl ? html`<img src="${branding.logoUrl}" alt="" />` : ''}<span>${branding.appTitle}</span></header>
    <main>
      ${options.logo ? html`<div class="logos">${options.logo.markup}</div>` : ''}
      ${options.body}
    </main>
  </body>
</html>`,
  };
}

/**
 * Answers with a hosted page: its CSP, and `Vary: Accept-Language` with `Content-Language` since the
 * words depend on the request's languages (RFC 9110 §12.5.5, §8.5).
 */
export function sendPage(c: Context, status: number, hosted: HostedPage, formTargets: string[] = []) {
  c.header('Content-Security-Policy', contentSecurityPolicy(hosted.branding, formTargets, hosted.imgSources));
  c.header('Vary', 'Accept-Language', { append: true });
  c.header('Content-Language', hosted.locale);
  return c.html(hosted.html, status as 200);
}
