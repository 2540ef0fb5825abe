import type { AuthScheme, ToolkitFile } from '../../src/catalogue/schema.ts';
import type { ToolConnection } from '../../src/execution/connection.ts';
import { bindConnection } from '../../src/schemes/registry.ts';

/**
 * A connection for any toolkit of the catalogue under one of its schemes, with recognisable values:
 * connection fields `acme`, token-response origins on example.com, and credentials named after the
 * toolkit. `suffix` is appended to every secret (an echo test gives it characters that encode).
 */
export function catalogueConnection(toolkit: ToolkitFile, scheme: AuthScheme, suffix = ''): ToolConnection {
  const connectionData: Record<string, string> = {};
  for (const f of toolkit.connection_fields ?? []) connectionData[f.name] = 'acme';
  if (scheme.mode === 'OAUTH2')
    for (const f of scheme.token_response_fields ?? []) connectionData[f] = `https://${toolkit.slug}-instance.example.com`;
  const credentials: Record<string, string> = {};
  if (scheme.mode === 'OAUTH2') credentials.access_token = `at-${toolkit.slug}-s3cret${suffix}`;
  if (scheme.mode === 'OAUTH1')
    Object.assign(credentials, { oauth_token: `tok-${toolkit.slug}${suffix}`, oauth_token_secret: `toksec-${toolkit.slug}${suffix}` });
  if ('fields' in scheme) for (const f of scheme.fields) credentials[f.name] = `${f.name}-${toolkit.slug}-s3cret${suffix}`;
  return bindConnection({
    mode: scheme.mode,
    credentials,
    connectionData,
    consumer: scheme.mode === 'OAUTH1' ? { key: `ck-${toolkit.slug}`, secret: `cs-${toolkit.slug}${suffix}` } : undefined,
  });
}
