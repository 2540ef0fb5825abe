import type { ToolkitFile } from '../catalogue/schema.ts';
import { AppError } from '../errors.ts';
import { fillBaseUrl, TemplateError } from '../execution/templates.ts';
import type { OAuthCallOptions } from '../oauth/client.ts';
import { tokenResponseData } from '../oauth/token-fields.ts';
import type { SchemeEnvironment } from './scheme.ts';

/** A provider URL of the toolkit with connection fields filled in (Zendesk's subdomain), under the same host rules as tool calls. */
export function providerUrl(deps: SchemeEnvironment, template: string, connectionData: Record<string, string>): URL {
  try {
    return fillBaseUrl(template, connectionData, deps.config.allowInsecureLoopback);
  } catch (error) {
    if (error instanceof TemplateError) throw new AppError('CONNECTED_ACCOUNT_BAD_REQUEST', { message: error.message });
    throw error;
  }
}

export function oauthCallOptions(deps: SchemeEnvironment): OAuthCallOptions {
  return { fetch: deps.fetch, allowInsecure: deps.config.allowInsecureLoopback };
}

/** What a token response may add to the connection: its declared fields, never a user's or operator's field. */
export function fromTokenResponse(
  toolkit: ToolkitFile,
  declared: readonly string[] | undefined,
  response: Record<string, unknown>,
): Record<string, string> {
  const protectedNames = new Set(['identity', ...(toolkit.connection_fields ?? []).map((f) => f.name)]);
  return tokenResponseData(declared ?? [], protectedNames, response);
}

/** An app-client field of an auth config, as Composio lists it. */
export const appField = (name: string, displayName: string, secret: boolean, required = true) => ({
  name,
  display_name: displayName,
  type: 'string' as const,
  secret,
  required,
});
