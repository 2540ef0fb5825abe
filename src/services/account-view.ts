import type { Deps } from '../deps.ts';
import { maskSecret } from '../ids.ts';

import { credentialsOf } from './account-state.ts';
import { isSecretCredential } from '../schemes/registry.ts';
import type { AuthConfig, ConnectedAccount } from '../../storage/domain.ts';

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
  row: ConnectedAccount,
  config: AuthConfig | undefined,
  redirectUrl: string | null = null,
): AccountView {
  const masked = Object.entries(credentialsOf(deps, row)).map(([k, v]) => [k, isSecretCredential(row.authScheme, k) ? maskSecret(v) : v]);
  return {
    id: row.id,
    userId: row.userId,
    toolkitSlug: row.toolkitSlug,
    authConfigId: row.authConfigId,
    authScheme: row.authScheme,
    status: row.status,
    statusReason: row.statusReason,
    alias: row.alias,
    disabled: row.isDisabled,
    connectionData: row.connectionData,
    maskedCredentials: Object.fromEntries(masked),
    expiresAt: row.expiresAt,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
    authConfig: { managed: config?.isComposioManaged === true, disabled: config?.status === 'DISABLED' },
    redirectUrl,
  };
}
