import type { AuthScheme } from '../catalogue/schema.ts';
import type { AuthSchemeModule } from './scheme.ts';

/** A public API: nothing to connect, nothing to inject. */
export const noAuthScheme: AuthSchemeModule<Extract<AuthScheme, { mode: 'NO_AUTH' }>> = {
  mode: 'NO_AUTH',
  connectBy: 'none',
  usesAppClient: false,
  signsWithClient: false,
  authConfigFields: () => [],
  connectionFields: () => [],
  defaultScopes: () => [],
  issuedCredentials: [],
  publicCredentials: [],
  urls: () => [],
  tokenResponseFields: () => [],
  inject: () => undefined,
};
