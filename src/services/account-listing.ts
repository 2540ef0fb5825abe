import type { Deps } from '../deps.ts';
import { authConfigsRepo } from '../../storage/repos/auth-configs.ts';
import { connectedAccountsRepo, type ConnectedAccountFilter, type ConnectedAccountRow } from '../../storage/repos/connected-accounts.ts';
import { expireAbandonedAccounts } from './account-state.ts';
import { accountView, type AccountView } from './account-view.ts';
import { getAccount, pendingRedirectUrl } from './connected-accounts.ts';

/** Connected accounts as front ends show them: each with its auth config's flags and its pending link. */
async function viewOf(deps: Deps, row: ConnectedAccountRow): Promise<AccountView> {
  const config = await authConfigsRepo(deps.db).findById(row.auth_config_id);
  return accountView(deps, row, config, await pendingRedirectUrl(deps, row));
}

export async function viewAccount(deps: Deps, id: string): Promise<AccountView> {
  return viewOf(deps, await getAccount(deps, id));
}

export async function listAccounts(deps: Deps, filter: ConnectedAccountFilter): Promise<{ items: AccountView[]; total: number }> {
  await expireAbandonedAccounts(deps);
  const { rows, total } = await connectedAccountsRepo(deps.db).list(filter);
  return { items: await Promise.all(rows.map((row) => viewOf(deps, row))), total };
}
