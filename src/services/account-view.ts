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
export interface AccountView
  extends Pick<
    ConnectedAccount,
    | 'id'
    | 'userId'
    | 'toolkitSlug'
    | 'authConfigId'
    | 'authScheme'
    | 'status'
    | 'statusReason'
    | 'alias'
    | 'connectionData'
    | 'expiresAt'
    | 'createdAt'
    | 'updatedAt'
  > {
  disabled: boolean;
  /** every secret credential masked (`••••9f3a`); what the auth mode says is not secret (token_type, scope) as is */
  maskedCredentials: Record<string, string>;
  authConfig: { managed: boolean; disabled: boolean };
  /** the Connect Link while the account waits for it */
  redirectUrl: string | null;
}

export function accountView(
  deps: Deps,
  account: ConnectedAccount,
  config: AuthConfig | undefined,
  redirectUrl: string | null = null,
): AccountView {
  const masked = Object.entries(credentialsOf(deps, account)).map(([k, v]) => [
    k,
    isSecretCredential(account.authScheme, k) ? maskSecret(v) : v,
  ]);
  return {
    id: account.id,
    userId: account.userId,
    toolkitSlug: account.toolkitSlug,
    authConfigId: account.authConfigId,
    authScheme: account.authScheme,
    status: account.status,
    statusReason: account.statusReason,
    alias: account.alias,
    disabled: account.isDisabled,
    connectionData: account.connectionData,
    maskedCredentials: Object.fromEntries(masked),
    expiresAt: account.expiresAt,
    createdAt: account.createdAt,
    updatedAt: account.updatedAt,
    authConfig: { managed: config?.isComposioManaged === true, disabled: config?.status === 'DISABLED' },
    redirectUrl,
  };
}
