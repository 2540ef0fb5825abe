import type { ToolkitFile } from '../../catalogue/schema.ts';
import type { Deps } from '../../deps.ts';
import { maskSecret } from '../../ids.ts';
import { connectionDataOf, credentialsOf } from '../../services/account-state.ts';
import { secretsOf, settingsOf } from '../../services/auth-configs.ts';
import type { AuthConfigRow } from '../../../storage/repos/auth-configs.ts';
import type { ConnectedAccountRow } from '../../../storage/repos/connected-accounts.ts';
import { authConfigDetails } from './catalogue.ts';
import { isSecretCredential } from '../../schemes/registry.ts';

/** Auth configs and connected accounts → Composio's wire shapes. Secrets leave only masked. */

const iso = (ms: number) => new Date(ms).toISOString();

export function authConfigWire(deps: Deps, row: AuthConfigRow, toolkit: ToolkitFile | undefined, connections: number) {
  const settings = settingsOf(row);
  const secrets = secretsOf(deps, row);
  const details = toolkit ? authConfigDetails(toolkit).find((d) => d.mode === row.auth_scheme) : undefined;
  return {
    id: row.id,
    uuid: row.id,
    type: row.type,
    toolkit: { slug: row.toolkit_slug, logo: toolkit?.logo ?? '' },
    name: row.name,
    auth_scheme: row.auth_scheme,
    is_composio_managed: row.is_composio_managed === 1,
    credentials: {
      ...(settings.client_id ? { client_id: settings.client_id } : {}),
      ...(secrets.client_secret ? { client_secret: maskSecret(secrets.client_secret) } : {}),
      ...(settings.scopes ? { scopes: settings.scopes.join(',') } : {}),
      ...(settings.oauth_redirect_uri ? { oauth_redirect_uri: settings.oauth_redirect_uri } : {}),
    },
    status: row.status,
    created_by: '',
    created_at: iso(row.created_at),
    last_updated_at: iso(row.updated_at),
    no_of_connections: connections,
    expected_input_fields: details ? [...details.fields.connected_account_initiation.required, ...details.fields.connected_account_initiation.optional] : [],
    restrict_to_following_tools: [],
    tool_access_config: settings.tool_access_config ?? {},
    is_enabled_for_tool_router: settings.is_enabled_for_tool_router ?? true,
    proxy_config: null,
    shared_credentials: {},
  };
}

function stateVal(deps: Deps, row: ConnectedAccountRow, redirectUrl: string | null) {
  const masked = Object.fromEntries(
    Object.entries(credentialsOf(deps, row)).map(([k, v]) => [k, isSecretCredential(row.auth_scheme, k) ? maskSecret(v) : v]),
  );
  return {
    status: row.status,
    ...connectionDataOf(row),
    ...masked,
    ...(row.expires_at ? { expires_at: iso(row.expires_at) } : {}),
    ...(redirectUrl ? { redirectUrl } : {}),
  };
}

export function connectedAccountWire(deps: Deps, row: ConnectedAccountRow, config: AuthConfigRow | undefined, options: { redirectUrl?: string | null } = {}) {
  const val = stateVal(deps, row, options.redirectUrl ?? null);
  const identity = connectionDataOf(row).identity ?? null;
  return {
    id: row.id,
    toolkit: { slug: row.toolkit_slug },
    auth_config: {
      id: row.auth_config_id,
      auth_scheme: row.auth_scheme,
      is_composio_managed: config?.is_composio_managed === 1,
      is_disabled: config?.status === 'DISABLED',
    },
    user_id: row.user_id,
    alias: row.alias,
    word_id: `${row.toolkit_slug}_${row.id.slice(3, 9).toLowerCase()}`,
    identity,
    status: row.status,
    status_reason: row.status_reason,
    is_disabled: row.is_disabled === 1,
    created_at: iso(row.created_at),
    updated_at: iso(row.updated_at),
    state: { authScheme: row.auth_scheme, val },
    data: val,
    params: {},
    test_request_endpoint: '',
  };
}
