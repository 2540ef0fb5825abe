import { TEMPLATE, urlPlaceholders } from '../catalogue/url-placeholders.ts';
import { isLoopbackHost } from './address-policy.ts';

/**
 * `{{name}}` placeholders: connection fields (subdomain, site, instance_url) and credential fields
 * (access_token, api_key) filled into base URLs, auth URLs and injected headers or query values.
 */
export const HOST_SAFE = /^[A-Za-z0-9](?:[A-Za-z0-9.-]{0,251}[A-Za-z0-9])?$/;

export class TemplateError extends Error {
  override name = 'TemplateError';
}

export function fillTemplate(text: string, values: Record<string, string | undefined>): string {
  return text.replace(TEMPLATE, (_, name: string) => {
    const value = values[name];
    if (value === undefined || value === '') throw new TemplateError(`the connection has no value for ${name}`);
    return value;
  });
}

// RFC 1035 2.3.1: one label, so a value cannot add labels of its own (`evil.com#` or `a.b`)
export const DNS_LABEL = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/;
// RFC 3986 5.2.4 removes `.` and `..` segments, and WHATWG URL also reads `%2e` as a dot
const DOT_SEGMENT = /^(?:\.|%2e){1,2}$/i;

/** Why an encoded value cannot be one path segment (empty or a dot segment), or null when it can. */
export function segmentProblem(encoded: string): string | null {
  if (encoded === '') return 'may not be empty: it fills a segment of the request path';
  if (DOT_SEGMENT.test(encoded)) return 'may not be . or ..: it fills a segment of the request path';
  return null;
}

function bareOrigin(name: string, value: string): string {
  let origin: URL;
  try {
    origin = new URL(value);
  } catch {
    throw new TemplateError(`${name} must be an https origin`);
  }
  if (
    !/^https?:$/.test(origin.protocol) ||
    origin.username ||
    origin.password ||
    (origin.pathname !== '/' && origin.pathname !== '') ||
    origin.search ||
    origin.hash
  ) {
    throw new TemplateError(`${name} must be a bare origin`);
  }
  return origin.origin;
}

/**
 * Toolkit URLs (base, identity and OAuth URLs) take stricter values, by where the placeholder stands
 * (`catalogue/url-placeholders.ts`, which the lint enforces on every file): a whole origin from the
 * token response, one host label in front of a fixed domain, or one path segment. No value can move
 * the request to another host or smuggle in a path, query or userinfo.
 */
export function fillBaseUrl(template: string, values: Record<string, string | undefined>, allowHttpLoopback: boolean): URL {
  const places = new Map(urlPlaceholders(template).map((p) => [p.offset, p]));
  const filled = template.replace(TEMPLATE, (_match, name: string, offset: number) => {
    const value = values[name];
    if (value === undefined || value === '') throw new TemplateError(`the connection has no value for ${name}`);
    switch (places.get(offset)?.role) {
      case 'origin':
        return bareOrigin(name, value);
      case 'label':
        if (!DNS_LABEL.test(value)) throw new TemplateError(`${name} must be one host name label (letters, digits and dashes, no dots)`);
        return value;
      case 'segment': {
        const problem = segmentProblem(encodeURIComponent(value));
        if (problem) throw new TemplateError(`${name} ${problem}`);
        return encodeURIComponent(value);
      }
      default:
        throw new TemplateError(`the toolkit URL puts {{${name}}} where no connection value may go`);
    }
  });
  let url: URL;
  try {
    url = new URL(filled);
  } catch {
    throw new TemplateError('the toolkit base URL is not a valid URL once filled');
  }
  assertSafeScheme(url, allowHttpLoopback);
  return url;
}

/** Credentials travel over https only; plain http is allowed to loopback, where nothing crosses a network. */
export function assertSafeScheme(url: URL, allowHttpLoopback: boolean): void {
  if (url.protocol === 'https:') return;
  if (url.protocol === 'http:' && allowHttpLoopback && isLoopbackHost(url.hostname)) return;
  const allowedBy =
    url.protocol === 'http:' && isLoopbackHost(url.hostname) ? '; set LATCHKEY_ALLOW_INSECURE_LOOPBACK=true to allow http on loopback' : '';
  throw new TemplateError(`refusing to send credentials to ${url.protocol}//${url.host}: only https is allowed${allowedBy}`);
}
