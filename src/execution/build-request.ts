import type { ToolDefinition, ToolkitFile } from '../catalogue/schema.ts';
import { templateValues, type ToolConnection } from './connection.ts';
import type { FormFields, PreparedRequest } from './prepared-request.ts';
import { fillBaseUrl, fillTemplate, segmentProblem, TemplateError } from './templates.ts';
import { pathParameters, TEMPLATE } from '../catalogue/url-placeholders.ts';
import { wireArguments, wireNames } from './composers/registry.ts';

export type { PreparedRequest } from './prepared-request.ts';

type Args = Record<string, unknown>;

const ARG_IN_HEADER = /\{([A-Za-z_][A-Za-z0-9_]*)\}/g;

function scalar(value: unknown): string {
  return typeof value === 'string' ? value : typeof value === 'object' ? JSON.stringify(value) : String(value);
}

/** Arrays become repeated keys (`labelIds=A&labelIds=B`), as Google, GitHub and most REST APIs read them. */
function appendParams(params: URLSearchParams, name: string, value: unknown): void {
  if (value === undefined || value === null) return;
  if (Array.isArray(value)) for (const item of value) params.append(name, scalar(item));
  else params.append(name, scalar(value));
}

/** A path argument latchkey will not put in a URL; the caller's to fix (a 400, nothing sent). */
export class PathArgumentError extends TemplateError {
  override name = 'PathArgumentError';
  constructor(
    readonly argument: string,
    message: string,
  ) {
    super(message);
  }
}

// `{"id": ".."}` on `/items/{id}/detail` would otherwise reach `/detail`
function checkSegment(name: string, encoded: string): string {
  const problem = segmentProblem(encoded);
  if (problem) throw new PathArgumentError(name, `${name} ${problem}`);
  return encoded;
}

function encodePathValue(name: string, value: unknown, reserved: boolean): string {
  const text = scalar(value);
  if (!reserved) return checkSegment(name, encodeURIComponent(text));
  // `{+path}` keeps its slashes (a file path in a repository) but may not climb out of the endpoint.
  return text
    .split('/')
    .map((segment) => checkSegment(name, encodeURIComponent(segment)))
    .join('/');
}

function fillPath(template: string, args: Args, values: Record<string, string>): string {
  const withFields = template.replace(TEMPLATE, (m, name: string) => {
    const encoded = encodeURIComponent(fillTemplate(m, values));
    // a connection value, not the caller's argument: the call fails as a result, not a 400
    const problem = segmentProblem(encoded);
    if (problem) throw new TemplateError(`the connection's ${name} ${problem}`);
    return encoded;
  });
  return withFields.replace(/\{(\+?)([A-Za-z_][A-Za-z0-9_]*)\}/g, (_, plus: string, name: string) =>
    encodePathValue(name, args[name], plus === '+'),
  );
}

/**
 * Defence in depth: the URL parser must keep every segment the encoded values fill (none resolved
 * away), or the request would reach another endpoint than the tool's.
 */
function parsePreservingPath(base: URL, path: string): URL {
  const joined = base.href.replace(/\/+$/, '') + path;
  const url = new URL(joined);
  // counted rather than compared: the parser may percent-encode a character of the template, but only
  // resolving a dot segment changes how many segments there are
  const expected = joined.slice(base.origin.length).replace(/[?#].*$/s, '');
  if (url.pathname.split('/').length !== expected.split('/').length)
    throw new TemplateError("the request path would not reach the tool's endpoint");
  return url;
}

export interface ArgumentRoutes {
  inPath: ReadonlySet<string>;
  inHeaders: ReadonlySet<string>;
  query: readonly string[];
  body: readonly string[];
  bodyMode: NonNullable<ToolDefinition['request']['body']> | 'none';
}

// Per tool and per connection, what does not change from one call to the next is worked out once
// (a tool definition and a connection are never changed once made): measured by `npm run bench`.
const ROUTES = new WeakMap<ToolDefinition, ArgumentRoutes>();
const BASE_URLS = new WeakMap<ToolConnection, Map<string, URL>>();

/** Which arguments go where: the path, declared headers, the query string, the body. */
export function routeArguments(tool: ToolDefinition): ArgumentRoutes {
  let routes = ROUTES.get(tool);
  if (!routes) ROUTES.set(tool, (routes = Object.freeze(argumentRoutes(tool))));
  return routes;
}

function argumentRoutes(tool: ToolDefinition): ArgumentRoutes {
  const { request } = tool;
  const inPath = new Set(pathParameters(request.path));
  const inHeaders = new Set(Object.values(request.headers ?? {}).flatMap((v) => [...v.matchAll(ARG_IN_HEADER)].map((m) => m[1]!)));
  const bodyMode = request.body ?? (request.method === 'GET' || request.method === 'DELETE' ? 'none' : 'json');
  const names = wireNames(request.compose, Object.keys(tool.input_parameters.properties ?? {}));
  const rest = names.filter((n) => !inPath.has(n) && !inHeaders.has(n));
  const query = request.query ?? (bodyMode === 'none' ? rest : []);
  const body = bodyMode === 'none' ? [] : (request.body_params ?? rest.filter((n) => !query.includes(n)));
  return { inPath, inHeaders, query, body, bodyMode };
}

/**
 * A connection's base URL for a template, filled and checked once (fillBaseUrl throws the same way on
 * every call for a connection it refuses, and such a refusal is not kept). Shared: only read, never changed.
 */
function baseUrlOf(connection: ToolConnection, template: string, allowHttpLoopback: boolean): URL {
  let byTemplate = BASE_URLS.get(connection);
  if (!byTemplate) BASE_URLS.set(connection, (byTemplate = new Map()));
  const key = `${allowHttpLoopback ? 'loopback' : 'https'} ${template}`;
  let url = byTemplate.get(key);
  if (!url) byTemplate.set(key, (url = fillBaseUrl(template, templateValues(connection), allowHttpLoopback)));
  return url;
}

/** The name an argument goes out under in the query or body: its own unless the tool maps it (`wire_names`). */
export function wireName(tool: ToolDefinition, argument: string): string {
  return tool.request.wire_names?.[argument] ?? argument;
}

/**
 * Builds the upstream request for one tool call: base URL and path filled, arguments routed, the
 * toolkit's headers set, and the connection's credential injected as its scheme says (`connection.inject`).
 * Arguments must already be validated against the tool's input schema.
 */
export function buildToolRequest(
  toolkit: ToolkitFile,
  tool: ToolDefinition,
  toolArgs: Args,
  connection: ToolConnection,
  options: { allowHttpLoopback: boolean },
): PreparedRequest {
  const args = wireArguments(tool.request.compose, toolArgs);
  const values = templateValues(connection);
  const base = baseUrlOf(connection, tool.request.base_url ?? toolkit.base_url, options.allowHttpLoopback);
  const routes = routeArguments(tool);
  const url = parsePreservingPath(base, fillPath(tool.request.path, args, values));
  for (const name of routes.query) appendParams(url.searchParams, wireName(tool, name), args[name]);

  const headers: Record<string, string> = { Accept: 'application/json', ...toolkit.headers };
  for (const [name, template] of Object.entries(tool.request.headers ?? {})) {
    // a header made of an argument the call leaves out is not sent: an empty `If-Match:` or a bare
    // `Bearer ` asks the API for something else than no header does
    const named = [...template.matchAll(ARG_IN_HEADER)].map((m) => m[1]!);
    if (named.some((arg) => args[arg] === undefined || args[arg] === null)) continue;
    headers[name] = template.replace(ARG_IN_HEADER, (_, arg: string) => scalar(args[arg]));
  }
  const request: PreparedRequest = { method: tool.request.method, url, headers };

  const bodyArgs = routes.body.filter((n) => args[n] !== undefined);
  let form: FormFields | undefined;
  if (routes.bodyMode === 'json' && bodyArgs.length > 0) {
    request.body = JSON.stringify(Object.fromEntries(bodyArgs.map((n) => [wireName(tool, n), args[n]])));
    headers['Content-Type'] = 'application/json';
  } else if (routes.bodyMode === 'form' && bodyArgs.length > 0) {
    const params = new URLSearchParams();
    for (const n of bodyArgs) appendParams(params, wireName(tool, n), args[n]);
    request.body = params.toString();
    headers['Content-Type'] = 'application/x-www-form-urlencoded';
    form = {};
    for (const [k, v] of params) form[k] = form[k] === undefined ? v : ([] as string[]).concat(form[k]!, v);
  }

  connection.inject(toolkit, request, form);
  return request;
}
