import type { AccountView } from '../../services/account-view.ts';
import type { AuthConfigView } from '../../services/auth-config-view.ts';
import { authConfigDetails } from './catalogue.ts';

/** Auth configs and connected accounts → Composio's wire shapes. They get views already opened and masked. */

const iso = (ms: number) => new Date(ms).toISOString();

export function authConfigWire({ config, maskedClientSecret, toolkit, connections }: AuthConfigView) {
  const details = toolkit ? authConfigDetails(toolkit).find((d) => d.mode === config.authScheme) : undefined;
  return {
    id: config.id,
    uuid: config.id,
    type: config.type,
    toolkit: { slug: config.toolkitSlug, logo: toolkit?.logo ?? '' },
    name: config.name,
    auth_scheme: config.authScheme,
    is_composio_managed: config.isComposioManaged,
    credentials: {
      ...(config.settings.client_id ? { client_id: config.settings.client_id } : {}),
      ...(maskedClientSecret ? { client_secret: maskedClientSecret } : {}),
      ...(config.settings.scopes ? { scopes: config.settings.scopes.join(',') } : {}),
      ...(config.settings.oauth_redirect_uri ? { oauth_redirect_uri: config.settings.oauth_redirect_uri } : {}),
    },
    status: config.status,
    created_by: '',
    created_at: iso(config.createdAt),
    last_updated_at: iso(config.updatedAt),
    no_of_connections: connections,
    expected_input_fields: details
      ? [...details.fields.connected_account_initiation.required, ...details.fields.connected_account_initiation.optional]
      : [],
    restrict_to_following_tools: [],
    tool_access_config: config.settings.tool_access_config ?? {},
    is_enabled_for_tool_router: config.settings.is_enabled_for_tool_router ?? true,
    proxy_config: null,
    shared_credentials: {},
  };
}

function stateVal(account: AccountView) {
  return {
    status: account.status,
    ...account.connectionData,
    ...account.maskedCredentials,
    ...(account.expiresAt ? { expires_at: iso(account.expiresAt) } : {}),
    ...(account.redirectUrl ? { redirectUrl: account.redirectUrl } : {}),
  };
}

export function connectedAccountWire(account: AccountView) {
  const val = stateVal(account);
  return {
    id: account.id,
    toolkit: { slug: account.toolkitSlug },
    auth_config: {
      id: account.authConfigId,
      auth_scheme: account.authScheme,
      is_composio_managed: account.authConfig.managed,
      is_disabled: account.authConfig.disabled,
    },
    user_id: account.userId,
    alias: account.alias,
    word_id: `${account.toolkitSlug}_${account.id.slice(3, 9).toLowerCase()}`,
    identity: account.connectionData.identity ?? null,
    status: account.status,
    status_reason: account.statusReason,
    is_disabled: account.disabled,
    created_at: iso(account.createdAt),
    updated_at: iso(account.updatedAt),
    state: { authScheme: account.authScheme, val },
    data: val,
    params: {},
    test_request_endpoint: '',
  };
}
