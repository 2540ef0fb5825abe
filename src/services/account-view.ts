import type { Deps } from '../deps.ts';
import { maskSecret } from '../ids.ts';
import type { AuthConfigRow } from '../../storage/repos/auth-configs.ts';
import type { ConnectedAccountRow } from '../../storage/repos/connected-accounts.ts';
import { connectionDataOf, credentialsOf } from './account-state.ts';
import { isSecretCredential } from '../schemes/registry.ts';

/**
 * A connected account as a front end may show it (REST answers, webhook events): credentials opened
 * here and masked, so nothing above this holds a secret or the vault; connection fields parsed.
 * Plain data, so a webhook event can store it as it was when the change happened.
 */
export interface AccountView {
  id: string;
  userId: string;
  toolkitSlug: string;
  authConfigId: string;
  authScheme: string;
  status: string;
  statusReason: string | null;
  alias: string | null;
  disabled: boolean;
  connectionData: Record<string, string>;
  /** every secret credential masked (`••••9f3a`); what the auth mode says is not secret (token_type, scope) as is */
  maskedCredentials: Record<string, string>;
  expiresAt: number | null;
  createdAt: number;
  updatedAt: number;
  authConfig: { managed: boolean; disabled: boolean };
  /** the Connect Link while the account waits for it */
  redirectUrl: string | null;
}

export function accountView(
  deps: Deps,
  row: ConnectedAccountRow,
  config: AuthConfigRow | undefined,
  redirectUrl: string | null = null,
): AccountView {
  const masked = Object.entries(credentialsOf(deps, row)).map(([k, v]) => [k, isSecretCredential(row.auth_scheme, k) ? maskSecret(v) : v]);
  return {
    id: row.id,
    userId: row.user_id,
    toolkitSlug: row.toolkit_slug,
    authConfigId: row.auth_config_id,
    authScheme: row.auth_scheme,
    status: row.status,
    statusReason: row.status_reason,
    alias: row.alias,
    disabled: row.is_disabled === 1,
    connectionData: connectionDataOf(row),
    maskedCredentials: Object.fromEntries(masked),
    expiresAt: row.expires_at,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    authConfig: { managed: config?.is_composio_managed === 1, disabled: config?.status === 'DISABLED' },
    redirectUrl,
  };
}
