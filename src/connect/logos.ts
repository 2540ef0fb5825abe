import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { html } from 'hono/html';
import type { HtmlEscapedString } from 'hono/utils/html';

/**
 * A toolkit's logo on the hosted pages, in order of preference:
 * 1. the catalogue's own `logo`, when it is an https URL: the operator chose it, and the page's CSP
 *    allows `img-src` for exactly that URL and nothing else (see `contentSecurityPolicy`);
 * 2. the toolkit's mark from simple-icons (CC0), inlined as SVG by slug: no request leaves the page,
 *    so nothing to allow and nothing for a third party to learn about who opened a link;
 * 3. a neutral badge with the toolkit's initial.
 * Logos are decorative (`aria-hidden`, empty `alt`): the toolkit's name is always in the text beside it.
 */
export interface Logo {
  markup: HtmlEscapedString | Promise<HtmlEscapedString>;
  /** the URL the page's CSP must allow as an image, when the logo is one */
  imgSource?: string;
}

interface SimpleIcon {
  slug: string;
  hex: string;
}

const require = createRequire(import.meta.url);
let index: Map<string, SimpleIcon> | undefined;
const marks = new Map<string, { hex: string; path: string } | null>();

/** The simple-icons metadata (slug and colour, 0.5 MB), read once on the first page that shows a logo. */
function icons(): Map<string, SimpleIcon> {
  index ??= new Map((require('simple-icons/icons.json') as SimpleIcon[]).map((icon) => [icon.slug, icon]));
  return index;
}

/** A toolkit slug's simple-icons mark: its path from the icon's own SVG file, its brand colour from the index. */
function markOf(slug: string): { hex: string; path: string } | null {
  if (!marks.has(slug)) {
    const icon = /^[a-z0-9]+$/.test(slug) ? icons().get(slug) : undefined;
    const svg = icon ? readFileSync(require.resolve(`simple-icons/icons/${icon.slug}.svg`), 'utf8') : '';
    const path = /<path d="([^"]+)"/.exec(svg)?.[1];
    marks.set(slug, icon && path ? { hex: icon.hex, path } : null);
  }
  return marks.get(slug)!;
}

/**
 * The catalogue's logo as an image URL and the CSP source that allows exactly it (CSP Level 3 §6.7.2.9:
 * a source with a path matches that path; the query is not part of a source). A URL whose text would
 * break the policy header (`;` and `,` separate directives and policies) is not used.
 */
function externalLogo(value: string | undefined): { src: string; source: string } | null {
  if (!value) return null;
  try {
    const url = new URL(value);
    const source = `${url.origin}${url.pathname}`;
    return url.protocol === 'https:' && !/[;,'\s]/.test(source) ? { src: url.href, source } : null;
  } catch {
    return null;
  }
}

export function toolkitLogo(toolkit: { slug: string; name: string; logo?: string }): Logo {
  const external = externalLogo(toolkit.logo);
  if (external)
    return { markup: html`<img class="logo" src="${external.src}" alt="" width="48" height="48" />`, imgSource: external.source };
  const mark = markOf(toolkit.slug.replaceAll('_', ''));
  if (mark)
    return {
      markup: html`<svg class="logo" viewBox="0 0 24 24" width="48" height="48" aria-hidden="true" focusable="false"><path fill="#${mark.hex}" d="${mark.path}"/></svg>`,
    };
  return initialBadge(toolkit.name);
}

/** A neutral round badge with a name's first letter (or character: names need not be Latin). */
export function initialBadge(name: string): Logo {
  const initial = Array.from(name.trim())[0]?.toUpperCase() ?? '?';
  return { markup: html`<span class="logo badge" aria-hidden="true">${initial}</span>` };
}
