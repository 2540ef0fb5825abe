/**
 * Where a `{{placeholder}}` may stand in a toolkit's URL (base URL, identity base URL, OAuth URLs),
 * so that no connection value can choose the host a credential or a token request goes to:
 *
 * - `origin`: the whole URL start (`{{instance_url}}/services/data`), only for a field the provider's
 *   token response sets (Salesforce), never for one the user types;
 * - `label`: whole DNS labels in front of a fixed domain of at least two labels
 *   (`https://{{subdomain}}.zendesk.com`): the value picks a tenant of that domain, never another host;
 * - `segment`: a whole path segment (`https://api.example.com/{{tenant}}/v1`).
 *
 * Anything else (a whole host, part of a label, a port, userinfo, the query) is refused by the lint.
 * The engine fills each role under its own rule (`fillBaseUrl`).
 */
export type PlaceholderRole = 'origin' | 'label' | 'segment';

export interface UrlPlaceholder {
  name: string;
  offset: number;
  role: PlaceholderRole | null;
  /** why the place is refused, when role is null */
  problem?: string;
}

/** `{{name}}`: the one pattern of a connection or credential placeholder (use with replace/matchAll only: it is global) */
export const TEMPLATE = /\{\{\s*([A-Za-z_][A-Za-z0-9_.]*)\s*\}\}/g;
const SCHEME = /^https?:\/\//i;

const PATH_PARAM = /\{\+?([A-Za-z_][A-Za-z0-9_]*)\}/g;

/** The `{param}` (and `{+param}`) tool arguments a request path names, `{{fields}}` left out. */
export function pathParameters(path: string): string[] {
  const withoutTemplates = path.replace(TEMPLATE, '');
  return [...withoutTemplates.matchAll(PATH_PARAM)].map((m) => m[1]!);
}

/** The `{{names}}` a template fills. */
export function templateNames(text: string): string[] {
  return [...text.matchAll(TEMPLATE)].map((m) => m[1]!);
}

function hostRole(host: string, start: number, end: number): string {
  if (host.includes('@')) return 'may not stand in a URL with userinfo';
  if (start === 0 && (end === host.length || host[end] === ':'))
    return 'may not be the whole host: a connection value could then choose any host';
  if (!(start === 0 || host[start - 1] === '.') || host[end] !== '.') return 'must be a whole label of the host';
  // the fixed domain after the last placeholder: at least two labels, so a value picks a tenant of it
  const fixed = host.slice(Math.max(...[...host.matchAll(TEMPLATE)].map((m) => m.index + m[0].length)));
  if (!/^\.[a-z0-9-]+(\.[a-z0-9-]+)+(:\d+)?$/i.test(fixed)) {
    return 'must be followed by a fixed domain of at least two labels (https://{{subdomain}}.example.com); a whole host would let a connection value choose any host';
  }
  return 'label';
}

export function urlPlaceholders(template: string): UrlPlaceholder[] {
  const out: UrlPlaceholder[] = [];
  const scheme = SCHEME.exec(template)?.[0].length;
  const authorityEnd = scheme === undefined ? -1 : (template.indexOf('/', scheme) + 1 || template.length + 1) - 1;
  for (const m of template.matchAll(TEMPLATE)) {
    const name = m[1]!;
    const offset = m.index;
    const end = offset + m[0].length;
    const next = template[end];
    if (offset === 0) {
      out.push(
        next === undefined || next === '/'
          ? { name, offset, role: 'origin' }
          : { name, offset, role: null, problem: 'at the start must be a whole origin, followed by / or nothing' },
      );
    } else if (scheme === undefined) {
      out.push({ name, offset, role: null, problem: 'the URL must start with https:// or a whole-origin placeholder' });
    } else if (offset < authorityEnd) {
      const host = template.slice(scheme, authorityEnd);
      const role = hostRole(host, offset - scheme, end - scheme);
      out.push(role === 'label' ? { name, offset, role } : { name, offset, role: null, problem: role });
    } else if (template[offset - 1] === '/' && (next === undefined || next === '/')) {
      out.push({ name, offset, role: 'segment' });
    } else {
      out.push({ name, offset, role: null, problem: 'in the path must be a whole segment; the query takes no placeholders' });
    }
  }
  return out;
}
