import type { AuthMode } from '../catalogue/schema.ts';

/**
 * What the engine needs of a connected account to run a tool: its scheme, its secrets, its
 * non-secret connection fields. Built by the account service from the opened vault value; the engine
 * never reads storage.
 */
export interface ToolConnection {
  mode: AuthMode;
  /** access_token, token, api_key, username/password, oauth_token/oauth_token_secret … */
  credentials: Record<string, string>;
  /** subdomain, site, instance_url … */
  connectionData: Record<string, string>;
  /** OAuth 1.0a consumer, from the auth config */
  consumer?: { key: string; secret: string };
}

export const NO_AUTH_CONNECTION: ToolConnection = { mode: 'NO_AUTH', credentials: {}, connectionData: {} };

/** The values secrets could show up as in an upstream answer, to scrub them before they reach a client. */
export function secretValues(connection: ToolConnection): string[] {
  const values = Object.values(connection.credentials);
  if (connection.consumer) values.push(connection.consumer.secret);
  return values.filter((v) => v.length >= 6);
}
