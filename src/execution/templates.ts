/**
 * `{{name}}` placeholders: connection fields (subdomain, site, instance_url) and credential fields
 * (access_token, api_key) filled into base URLs, auth URLs and injected headers or query values.
 */
const TEMPLATE = /\{\{\s*([A-Za-z_][A-Za-z0-9_.]*)\s*\}\}/g;
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

/**
 * Base URLs take stricter values: a placeholder at the very start may be a whole https origin (Salesforce's
 * `instance_url`); anywhere else it must be a plain host label (`acme` in `acme.zendesk.com`), so no value
 * can move the request to another host or smuggle in a path, query or userinfo.
 */
export function fillBaseUrl(template: string, values: Record<string, string | undefined>, allowHttpLoopback: boolean): URL {
  const filled = template.replace(TEMPLATE, (_match, name: string, offset: number) => {
    const value = values[name];
    if (value === undefined || value === '') throw new TemplateError(`the connection has no value for ${name}`);
    if (offset === 0 && /^https?:\/\//i.test(value)) {
      const origin = new URL(value);
      if (origin.username || origin.password || (origin.pathname !== '/' && origin.pathname !== '') || origin.search || origin.hash) {
        throw new TemplateError(`${name} must be a bare origin`);
      }
      return origin.origin;
    }
    if (!HOST_SAFE.test(value)) throw new TemplateError(`${name} must be a host name label (letters, digits, dots and dashes)`);
    return value;
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

const LOOPBACK_HOST = /^(localhost|127(?:\.\d{1,3}){3}|\[::1\])$/i;

export function isLoopbackHost(hostname: string): boolean {
  return LOOPBACK_HOST.test(hostname) || hostname.endsWith('.localhost');
}

/** Credentials travel over https only; plain http is allowed to loopback, where nothing crosses a network. */
export function assertSafeScheme(url: URL, allowHttpLoopback: boolean): void {
  if (url.protocol === 'https:') return;
  if (url.protocol === 'http:' && allowHttpLoopback && isLoopbackHost(url.hostname)) return;
  throw new TemplateError(`refusing to send credentials to ${url.protocol}//${url.host}: only https (or http on loopback) is allowed`);
}
