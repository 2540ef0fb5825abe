import type { AuthMode, AuthScheme, ToolkitFile } from '../catalogue/schema.ts';
import type { ToolConnection } from '../execution/connection.ts';
import { TemplateError } from '../execution/templates.ts';
import { apiKeyScheme } from './api-key.ts';
import { basicScheme } from './basic.ts';
import { basicWithJwtScheme } from './basic-with-jwt.ts';
import { bearerTokenScheme } from './bearer-token.ts';
import { googleServiceAccountScheme } from './google-service-account.ts';
import { noAuthScheme } from './no-auth.ts';
import { oauth1Scheme } from './oauth1.ts';
import { oauth2Scheme } from './oauth2.ts';
import type { AuthSchemeModule, SchemeModules } from './scheme.ts';

/** Every auth mode latchkey serves, by the name toolkit files and Composio's API use. */
const MODULES: SchemeModules = {
  OAUTH2: oauth2Scheme,
  OAUTH1: oauth1Scheme,
  API_KEY: apiKeyScheme,
  BEARER_TOKEN: bearerTokenScheme,
  BASIC: basicScheme,
  NO_AUTH: noAuthScheme,
  GOOGLE_SERVICE_ACCOUNT: googleServiceAccountScheme,
  BASIC_WITH_JWT: basicWithJwtScheme,
};

/** The module of a mode (an account's or auth config's `auth_scheme`); an unknown name is a bug, not input. */
export function schemeModule(mode: string): AuthSchemeModule {
  const module = (MODULES as Record<string, AuthSchemeModule | undefined>)[mode];
  if (!module) throw new Error(`no auth scheme module for ${mode}`);
  return module;
}

/** A toolkit's definition of a mode (its URLs, fields, injection), if the toolkit offers that mode. */
export function schemeFor(toolkit: ToolkitFile, mode: string): AuthScheme | undefined {
  return toolkit.auth_schemes.find((s) => s.mode === mode);
}

export const connectsBy = (mode: string) => schemeModule(mode).connectBy;

export const isRedirectMode = (mode: string) => connectsBy(mode) === 'redirect';

/** A toolkit whose every scheme needs nothing from the user (Hacker News). */
export function isNoAuth(toolkit: ToolkitFile): boolean {
  return toolkit.auth_schemes.every((s) => connectsBy(s.mode) === 'none');
}

/** Modes whose credential can be renewed (on use, in the background, and after an upstream 401). */
export function refreshableModes(): AuthMode[] {
  return (Object.keys(MODULES) as AuthMode[]).filter((mode) => MODULES[mode].refresh !== undefined);
}

export const canRefresh = (mode: string) => schemeModule(mode).refresh !== undefined;

/**
 * Modes an auth config can be created for without the app's own credentials: those needing an app
 * client where the operator configured one (LATCHKEY_OAUTH_<SLUG>_…), and every mode whose secret
 * comes from the user. A mode with nothing to connect is not "managed".
 */
export function managedModes(toolkit: ToolkitFile, hasOperatorApp: boolean): AuthMode[] {
  return toolkit.auth_schemes
    .map((s) => s.mode)
    .filter((mode) => connectsBy(mode) !== 'none' && (!schemeModule(mode).usesAppClient || hasOperatorApp));
}

/** Whether a stored credential of a mode is secret (masked whenever it is shown). */
export const isSecretCredential = (mode: string, name: string) => !schemeModule(mode).publicCredentials.includes(name);

/** A connection as the engine takes it: its data, and its mode's injection bound to it. */
export function bindConnection(data: Omit<ToolConnection, 'inject'>): ToolConnection {
  const module = schemeModule(data.mode);
  const connection: ToolConnection = {
    ...data,
    inject: (toolkit, request, form) => {
      const definition = schemeFor(toolkit, data.mode);
      if (!definition) throw new TemplateError(`toolkit ${toolkit.slug} has no ${data.mode} scheme`);
      module.inject(definition, connection, request, form);
    },
  };
  return connection;
}

/** A toolkit with no auth: nothing to inject. */
export const NO_AUTH_CONNECTION: ToolConnection = bindConnection({ mode: noAuthScheme.mode, credentials: {}, connectionData: {} });
