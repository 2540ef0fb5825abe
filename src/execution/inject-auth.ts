import { templateNames } from '../catalogue/lint.ts';
import type { AuthScheme, ToolkitFile } from '../catalogue/schema.ts';
import type { PreparedRequest } from './build-request.ts';
import type { ToolConnection } from './connection.ts';
import { oauth1Header } from './oauth1.ts';
import { fillTemplate, TemplateError } from './templates.ts';

export function schemeFor(toolkit: ToolkitFile, mode: string): AuthScheme | undefined {
  return toolkit.auth_schemes.find((s) => s.mode === mode);
}

/** The values `{{placeholders}}` may take: connection fields first, credentials over them. */
export function templateValues(connection: ToolConnection): Record<string, string> {
  return { ...connection.connectionData, ...connection.credentials };
}

/** Fills a template and records, as injected, every credential that went into it. */
function fillInjected(template: string, connection: ToolConnection, values: Record<string, string>, injected: string[]): string {
  const filled = fillTemplate(template, values);
  for (const name of templateNames(template)) if (name in connection.credentials) injected.push(values[name]!);
  return filled;
}

/** The signature and token of an `Authorization: OAuth …` header, decoded (RFC 5849 3.5.1). */
function oauth1Params(header: string): string[] {
  return [...header.matchAll(/oauth_(?:signature|token)="([^"]*)"/g)].map((m) => decodeURIComponent(m[1]!));
}

/**
 * Puts the connection's credential on a finished request, as its scheme says: templated headers or
 * query values, HTTP Basic, or an OAuth 1.0a signature over the final URL (and form body, if any).
 * Every value put on the request is recorded in `request.injected`, for masking echoes of it.
 */
export function injectCredential(toolkit: ToolkitFile, connection: ToolConnection, request: PreparedRequest, form?: Record<string, string | string[]>): void {
  const scheme = schemeFor(toolkit, connection.mode);
  if (!scheme) throw new TemplateError(`toolkit ${toolkit.slug} has no ${connection.mode} scheme`);
  const values = templateValues(connection);
  const injected: string[] = (request.injected ??= []);
  if (scheme.mode === 'OAUTH1') {
    if (!connection.consumer) throw new TemplateError('an OAuth1 connection needs the consumer key of its auth config');
    const header = oauth1Header(
      { method: request.method, url: request.url.href, form },
      { consumerKey: connection.consumer.key, consumerSecret: connection.consumer.secret, token: values.oauth_token ?? '', tokenSecret: values.oauth_token_secret ?? '' },
    );
    request.headers.Authorization = header;
    injected.push(...oauth1Params(header));
    return;
  }
  if (!('inject' in scheme)) return;
  for (const [name, template] of Object.entries(scheme.inject.headers ?? {})) request.headers[name] = fillInjected(template, connection, values, injected);
  for (const [name, template] of Object.entries(scheme.inject.query ?? {})) request.url.searchParams.set(name, fillInjected(template, connection, values, injected));
  if (scheme.inject.basic) {
    const user = fillInjected(scheme.inject.basic.username, connection, values, injected);
    const password = fillInjected(scheme.inject.basic.password, connection, values, injected);
    const encoded = Buffer.from(`${user}:${password}`, 'utf8').toString('base64');
    request.headers.Authorization = `Basic ${encoded}`;
    // RFC 7617 2: the user-pass is sent base64-encoded; an echo shows that form, not the password
    injected.push(`${user}:${password}`, encoded);
  }
}
