import type { AuthMode, ToolkitFile } from '../catalogue/schema.ts';
import type { FormFields, PreparedRequest } from './prepared-request.ts';

/**
 * Puts a connection's credential on a finished request, as its auth scheme says. The schemes layer
 * (`src/schemes/`) supplies it: the engine does not know any scheme, so it never imports them.
 */
export type CredentialInjector = (toolkit: ToolkitFile, request: PreparedRequest, form?: FormFields) => void;

/**
 * What the engine needs of a connected account to run a tool: its scheme, its secrets, its
 * non-secret connection fields, and how its credential goes on a request. Built by the account
 * service from the opened vault value (through `schemes/registry.ts`); the engine never reads storage.
 */
export interface ToolConnection {
  mode: AuthMode;
  /** access_token, token, api_key, username/password, oauth_token/oauth_token_secret … */
  credentials: Record<string, string>;
  /** subdomain, site, instance_url … */
  connectionData: Record<string, string>;
  /** OAuth 1.0a consumer, from the auth config */
  consumer?: { key: string; secret: string };
  inject: CredentialInjector;
}

// A connection is never changed once made (a refresh or a reconnect makes a new one), so what is
// derived from it is derived once: every call of the same account reuses it (profiled, `npm run bench`).
const TEMPLATE_VALUES = new WeakMap<object, Readonly<Record<string, string>>>();

/** The values `{{placeholders}}` may take: connection fields first, credentials over them. */
export function templateValues(connection: Pick<ToolConnection, 'credentials' | 'connectionData'>): Readonly<Record<string, string>> {
  let values = TEMPLATE_VALUES.get(connection);
  if (!values) TEMPLATE_VALUES.set(connection, (values = Object.freeze({ ...connection.connectionData, ...connection.credentials })));
  return values;
}

/** The values secrets could show up as in an upstream answer, to scrub them before they reach a client. */
export function secretValues(connection: ToolConnection): string[] {
  const values = Object.values(connection.credentials);
  if (connection.consumer) values.push(connection.consumer.secret);
  return values.filter((v) => v.length >= 6);
}
