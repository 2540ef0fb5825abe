import type { ToolkitFile } from '../catalogue/schema.ts';
import type { PreparedRequest } from './build-request.ts';
import { templateValues, type ToolConnection } from './connection.ts';
import { fillBaseUrl, TemplateError } from './templates.ts';

export interface ProxyInput {
  endpoint: string;
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  body?: unknown;
  parameters?: Array<{ name: string; type: 'header' | 'query'; value: string | number | boolean }>;
}

/**
 * A raw call to the toolkit's API with the account's credential injected (`POST /tools/execute/proxy`).
 * The endpoint is a path under the toolkit's base URL, or an absolute URL on the same origin: the
 * credential never leaves for another host.
 */
export function buildProxyRequest(
  toolkit: ToolkitFile,
  connection: ToolConnection,
  input: ProxyInput,
  options: { allowHttpLoopback: boolean },
): PreparedRequest {
  const values = templateValues(connection);
  const base = fillBaseUrl(toolkit.base_url, values, options.allowHttpLoopback);
  const url = /^https?:\/\//i.test(input.endpoint)
    ? new URL(input.endpoint)
    : new URL(base.href.replace(/\/+$/, '') + (input.endpoint.startsWith('/') ? input.endpoint : `/${input.endpoint}`));
  if (url.origin !== base.origin) throw new TemplateError(`the endpoint must be on ${base.origin}`);
  const headers: Record<string, string> = { Accept: 'application/json', ...toolkit.headers };
  for (const p of input.parameters ?? []) {
    if (p.type === 'query') url.searchParams.append(p.name, String(p.value));
    else headers[p.name] = String(p.value);
  }
  const request: PreparedRequest = { method: input.method, url, headers };
  if (input.body !== undefined && input.method !== 'GET') {
    request.body = typeof input.body === 'string' ? input.body : JSON.stringify(input.body);
    headers['Content-Type'] ??= 'application/json';
  }
  connection.inject(toolkit, request);
  return request;
}
