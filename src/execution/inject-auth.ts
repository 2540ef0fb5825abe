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

/**
 * Puts the connection's credential on a finished request, as its scheme says: templated headers or
 * query values, HTTP Basic, or an OAuth 1.0a signature over the final URL (and form body, if any).
 */
export function injectCredential(toolkit: ToolkitFile, connection: ToolConnection, request: PreparedRequest, form?: Record<string, string | string[]>): void {
  const scheme = schemeFor(toolkit, connection.mode);
  if (!scheme) throw new TemplateError(`toolkit ${toolkit.slug} has no ${connection.mode} scheme`);
  const values = templateValues(connection);
  if (scheme.mode === 'OAUTH1') {
    if (!connection.consumer) throw new TemplateError('an OAuth1 connection needs the consumer key of its auth config');
    request.headers.Authorization = oauth1Header(
      { method: request.method, url: request.url.href, form },
      { consumerKey: connection.consumer.key, consumerSecret: connection.consumer.secret, token: values.oauth_token ?? '', tokenSecret: values.oauth_token_secret ?? '' },
    );
    return;
  }
  if (!('inject' in scheme)) return;
  for (const [name, template] of Object.entries(scheme.inject.headers ?? {})) request.headers[name] = fillTemplate(template, values);
  for (const [name, template] of Object.entries(scheme.inject.query ?? {})) request.url.searchParams.set(name, fillTemplate(template, values));
  if (scheme.inject.basic) {
    const user = fillTemplate(scheme.inject.basic.username, values);
    const password = fillTemplate(scheme.inject.basic.password, values);
    request.headers.Authorization = `Basic ${Buffer.from(`${user}:${password}`, 'utf8').toString('base64')}`;
  }
}
