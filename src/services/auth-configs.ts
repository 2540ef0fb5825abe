import type { ToolkitFile } from '../catalogue/schema.ts';
import type { Deps } from '../deps.ts';
import { recordAdminEvent } from './audit-log.ts';
import { type Actor, SYSTEM_ACTOR } from './actor.ts';
import { AppError } from '../errors.ts';
import { newId } from '../ids.ts';
import { authConfigsRepo } from '../../storage/repos/auth-configs.ts';
import { connectedAccountsRepo } from '../../storage/repos/connected-accounts.ts';
import { sealed, sealedAad } from '../../storage/schema.ts';
import { schemeFor, schemeModule } from '../schemes/registry.ts';
import type { AppClient, SchemeContext } from '../schemes/scheme.ts';
import type { AuthConfig, AuthConfigSettings } from '../../storage/domain.ts';

const CREDENTIALS_COLUMN = sealed('auth_configs', 'credentials_sealed');

export interface AuthConfigSecrets {
  client_secret?: string;
}

export interface AuthConfigInput {
  toolkitSlug: string;
  type: 'use_composio_managed_auth' | 'use_custom_auth';
  authScheme?: string;
  name?: string;
  credentials?: Record<string, unknown>;
  toolAccessConfig?: AuthConfigSettings['tool_access_config'];
  isEnabledForToolRouter?: boolean;
}

export function secretsOf(deps: Deps, config: AuthConfig): AuthConfigSecrets {
  return config.credentialsSealed
    ? deps.vault.openJson<AuthConfigSecrets>(config.credentialsSealed, sealedAad(CREDENTIALS_COLUMN, config.id))
    : {};
}

export function toolkitOf(deps: Deps, slug: string): ToolkitFile {
  const toolkit = deps.catalogue.toolkit(slug);
  if (!toolkit) throw new AppError('TOOLKIT_NOT_FOUND', { message: `No toolkit named ${slug}.` });
  return toolkit;
}

function parseScopes(value: unknown): string[] | undefined {
  if (value === undefined || value === null) return undefined;
  if (Array.isArray(value)) return value.map(String).filter(Boolean);
  if (typeof value === 'string') return value.split(/[\s,]+/).filter(Boolean);
  throw new AppError('VALIDATION_FAILED', {
    message: 'credentials.scopes must be a string or an array of strings',
    errors: [{ field: 'credentials.scopes', message: 'must be a string or an array' }],
  });
}

function optionalString(credentials: Record<string, unknown>, name: string): string | undefined {
  const value = credentials[name];
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value !== 'string' || value.length > 4096) {
    throw new AppError('VALIDATION_FAILED', {
      message: `credentials.${name} must be a string`,
      errors: [{ field: `credentials.${name}`, message: 'must be a string' }],
    });
  }
  return value;
}

function chooseScheme(toolkit: ToolkitFile, requested: string | undefined, type: AuthConfigInput['type'], deps: Deps): string {
  const modes = toolkit.auth_schemes.map((s) => s.mode);
  if (requested) {
    if (!modes.includes(requested as never)) {
      throw new AppError('VALIDATION_FAILED', {
        message: `Toolkit ${toolkit.slug} supports ${modes.join(', ')}, not ${requested}.`,
        errors: [{ field: 'auth_config.authScheme', message: `must be one of ${modes.join(', ')}` }],
      });
    }
    return requested;
  }
  // managed: the first scheme this server can serve without the app's own credentials
  if (type === 'use_composio_managed_auth') {
    const served = modes.find((m) => !schemeModule(m).usesAppClient || deps.config.oauthApps[toolkit.slug]);
    if (served) return served;
  }
  return modes[0]!;
}

function operatorAppError(toolkit: ToolkitFile): AppError {
  const upper = toolkit.slug.toUpperCase();
  return new AppError('OPERATOR_APP_MISSING', {
    message: `This server has no OAuth app for ${toolkit.name}: set LATCHKEY_OAUTH_${upper}_CLIENT_ID and LATCHKEY_OAUTH_${upper}_CLIENT_SECRET, or create a use_custom_auth config with your own client_id and client_secret.`,
  });
}

export async function createAuthConfig(deps: Deps, input: AuthConfigInput, actor: Actor = SYSTEM_ACTOR): Promise<AuthConfig> {
  const toolkit = toolkitOf(deps, input.toolkitSlug);
  const scheme = chooseScheme(toolkit, input.authScheme, input.type, deps);
  const credentials = input.credentials ?? {};
  const managed = input.type === 'use_composio_managed_auth';
  const settings: AuthConfigSettings = {
    scopes: parseScopes(credentials.scopes),
    tool_access_config: input.toolAccessConfig,
    is_enabled_for_tool_router: input.isEnabledForToolRouter,
  };
  const secrets: AuthConfigSecrets = {};
  if (schemeModule(scheme).usesAppClient) {
    if (managed) {
      if (!deps.config.oauthApps[toolkit.slug]) throw operatorAppError(toolkit);
    } else {
      settings.client_id = optionalString(credentials, 'client_id');
      secrets.client_secret = optionalString(credentials, 'client_secret');
      settings.oauth_redirect_uri = optionalString(credentials, 'oauth_redirect_uri');
      const missing = ['client_id', 'client_secret'].filter((k) => !credentials[k]);
      if (missing.length > 0) {
        throw new AppError('VALIDATION_FAILED', {
          message: `A custom ${scheme} auth config needs ${missing.join(' and ')}.`,
          errors: missing.map((k) => ({ field: `auth_config.credentials.${k}`, message: 'is required' })),
        });
      }
    }
  }
  const now = deps.clock.now();
  const id = newId('ac');
  const config: AuthConfig = {
    id,
    toolkitSlug: toolkit.slug,
    name: input.name?.slice(0, 200) || `${toolkit.name} ${managed ? 'managed' : 'custom'} auth`,
    type: managed ? 'default' : 'custom',
    authScheme: scheme,
    isComposioManaged: managed,
    status: 'ENABLED',
    settings,
    credentialsSealed: secrets.client_secret ? deps.vault.sealJson(secrets, sealedAad(CREDENTIALS_COLUMN, id)) : null,
    createdAt: now,
    updatedAt: now,
  };
  await authConfigsRepo(deps.db).insert(config);
  await recordAdminEvent(deps, authConfigChange('created', config, { auth_scheme: scheme, managed }), actor);
  return config;
}

const authConfigChange = (verb: string, config: Pick<AuthConfig, 'id' | 'toolkitSlug'>, detail: Record<string, unknown> | null = null) => ({
  action: `auth_config.${verb}`,
  subjectType: 'auth_config',
  subjectId: config.id,
  toolkitSlug: config.toolkitSlug,
  detail,
});

export async function getAuthConfig(deps: Deps, id: string): Promise<AuthConfig> {
  const config = await authConfigsRepo(deps.db).findById(id);
  if (!config) throw new AppError('AUTH_CONFIG_NOT_FOUND', { message: `Auth config ${id} was not found.` });
  return config;
}

export interface AuthConfigPatch {
  name?: string;
  credentials?: Record<string, unknown>;
  scopes?: unknown;
  toolAccessConfig?: AuthConfigSettings['tool_access_config'];
  isEnabledForToolRouter?: boolean;
}

/** PATCH semantics: omitted fields stay; `credentials` merge into what is stored. */
export async function updateAuthConfig(deps: Deps, id: string, patch: AuthConfigPatch, actor: Actor): Promise<AuthConfig> {
  const config = await getAuthConfig(deps, id);
  // a copy: the changes are written, then returned over the config as read
  const settings = { ...config.settings };
  const secrets = secretsOf(deps, config);
  const credentials = patch.credentials ?? {};
  if (credentials.client_id !== undefined) settings.client_id = optionalString(credentials, 'client_id');
  if (credentials.client_secret !== undefined) secrets.client_secret = optionalString(credentials, 'client_secret');
  if (credentials.oauth_redirect_uri !== undefined) settings.oauth_redirect_uri = optionalString(credentials, 'oauth_redirect_uri');
  const scopes = parseScopes(credentials.scopes ?? patch.scopes);
  if (scopes) settings.scopes = scopes;
  if (patch.toolAccessConfig) settings.tool_access_config = { ...settings.tool_access_config, ...patch.toolAccessConfig };
  if (patch.isEnabledForToolRouter !== undefined) settings.is_enabled_for_tool_router = patch.isEnabledForToolRouter;
  const changes = {
    name: patch.name?.slice(0, 200) ?? config.name,
    settings,
    credentialsSealed: secrets.client_secret ? deps.vault.sealJson(secrets, sealedAad(CREDENTIALS_COLUMN, id)) : null,
    updatedAt: deps.clock.now(),
  };
  await authConfigsRepo(deps.db).update(id, changes);
  // which fields changed, never their values (a client secret among them)
  await recordAdminEvent(
    deps,
    authConfigChange('updated', config, {
      fields: Object.keys(patch.credentials ?? {}).concat(Object.keys(patch).filter((k) => k !== 'credentials')),
    }),
    actor,
  );
  return { ...config, ...changes };
}

export async function setAuthConfigStatus(deps: Deps, id: string, status: 'ENABLED' | 'DISABLED', actor: Actor): Promise<void> {
  const config = await getAuthConfig(deps, id);
  await authConfigsRepo(deps.db).update(id, { status, updatedAt: deps.clock.now() });
  await recordAdminEvent(deps, authConfigChange(status === 'ENABLED' ? 'enabled' : 'disabled', config), actor);
}

/** Deleting a config deletes the accounts connected through it: they cannot work without it. */
export async function deleteAuthConfig(deps: Deps, id: string, actor: Actor): Promise<void> {
  const config = await getAuthConfig(deps, id);
  await deps.db.transaction().execute(async (trx) => {
    const accounts = connectedAccountsRepo(trx);
    const { accounts: connected } = await accounts.list({
      authConfigIds: [id],
      orderBy: 'createdAt',
      direction: 'asc',
      offset: 0,
      limit: 1_000_000,
    });
    for (const account of connected) await accounts.delete(account.id);
    await authConfigsRepo(trx).delete(id);
    await recordAdminEvent(deps, authConfigChange('deleted', config, { connected_accounts_deleted: connected.length }), actor, trx);
  });
}

/**
 * The auth config a toolkit uses when none is named: the oldest enabled one, else a managed one made
 * now from the operator's app (or, with no app configured, an error naming the variables to set).
 */
export async function ensureDefaultAuthConfig(deps: Deps, toolkitSlug: string): Promise<AuthConfig> {
  const toolkit = toolkitOf(deps, toolkitSlug);
  const existing = await authConfigsRepo(deps.db).findDefaultForToolkit(toolkit.slug);
  if (existing) return existing;
  return createAuthConfig(deps, { toolkitSlug: toolkit.slug, type: 'use_composio_managed_auth' });
}

/** The app client an auth config acts as: the operator's app for managed configs, the app's own otherwise. */
export function appClientFor(deps: Deps, config: AuthConfig, toolkit: ToolkitFile): AppClient {
  if (config.isComposioManaged) {
    const app = deps.config.oauthApps[toolkit.slug];
    if (!app) throw operatorAppError(toolkit);
    return { clientId: app.clientId, clientSecret: app.clientSecret };
  }
  const settings = config.settings;
  return {
    clientId: settings.client_id ?? '',
    clientSecret: secretsOf(deps, config).client_secret ?? '',
    redirectUri: settings.oauth_redirect_uri,
  };
}

/** What a scheme's network steps need for one connection through an auth config (see `schemes/scheme.ts`). */
export function schemeContext(
  deps: Deps,
  config: AuthConfig,
  toolkit: ToolkitFile,
  connectionData: Record<string, string>,
  accountId?: string,
): SchemeContext {
  const definition = schemeFor(toolkit, config.authScheme);
  if (!definition)
    throw new AppError('AUTH_CONFIG_NOT_FOUND', { message: `Toolkit ${toolkit.slug} no longer offers ${config.authScheme}.` });
  return {
    deps,
    toolkit,
    definition,
    accountId,
    connectionData,
    scopes: config.settings.scopes ?? schemeModule(config.authScheme).defaultScopes(definition),
    client: () => appClientFor(deps, config, toolkit),
  };
}
