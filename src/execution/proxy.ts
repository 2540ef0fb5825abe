import { z } from 'zod';
import type { ToolkitFile } from '../catalogue/schema.ts';
import type { PreparedRequest } from './build-request.ts';
import { templateValues, type ToolConnection } from './connection.ts';
import { fillBaseUrl, TemplateError } from './templates.ts';

/** How many header and query parameters one proxied request may carry. */
export const MAX_PROXY_PARAMETERS = 100;

/** One header or query parameter of a proxied request, as Composio's REST bodies spell it (`type`). */
export const proxyParameter = z.object({
  name: z.string().min(1).max(256),
  type: z.enum(['header', 'query']),
  value: z.union([z.string(), z.number(), z.boolean()]),
});

/**
 * What a proxied request is, as Composio's proxy, a session's proxy_execute and COMPOSIO_PROXY_EXECUTE
 * take it: the one set of limits.
 */
export const proxyRequestShape = {
  endpoint: z.string().min(1).max(4096),
  method: z.enum(['GET', 'POST', 'PUT', 'PATCH', 'DELETE']),
  body: z.unknown().optional(),
  parameters: z.array(proxyParameter).max(MAX_PROXY_PARAMETERS).optional(),
};

export type ProxyInput = z.infer<z.ZodObject<typeof proxyRequestShape>>;

/**
 * Headers the caller may not set. The credential is latchkey's to inject from the connected account,
 * so the caller sends no Authorization of its own (Composio's proxy says the same); Host would carry
 * the credential to another virtual host behind the same address, past the origin check below (RFC
 * 9110 7.2); the body's framing is the exchange's to write (RFC 9112 6).
 */
const RESERVED_HEADERS = new Set(['authorization', 'proxy-authorization', 'host', 'content-length', 'transfer-encoding', 'connection']);

/** A proxied request the caller must change: it names the parameter at fault. */
export class ProxyParameterError extends Error {
  override name = 'ProxyParameterError';
  constructor(
    message: string,
    readonly field: string,
  ) {
    super(message);
  }
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
  for (const [index, p] of (input.parameters ?? []).entries()) {
    if (p.type === 'header' && RESERVED_HEADERS.has(p.name.toLowerCase()))
      throw new ProxyParameterError(
        `${p.name} is a header latchkey sets itself (the credential comes from the user's connected account); leave it out`,
        `parameters.${index}.name`,
      );
  }
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
