import type { Deps } from '../deps.ts';
import { authConfigsRepo } from '../../storage/repos/auth-configs.ts';
import { connectedAccountsRepo, type ConnectedAccountFilter } from '../../storage/repos/connected-accounts.ts';
import { abandonedBefore, withAbandonedExpired } from './account-state.ts';
import { accountView, type AccountView } from './account-view.ts';
import { getAccount, pendingRedirectUrl } from './connected-accounts.ts';
import type { ConnectedAccount } from '../../storage/domain.ts';

/** Connected accounts as front ends show them: each with its auth config's flags and its pending link. */
async function viewOf(deps: Deps, account: ConnectedAccount): Promise<AccountView> {
  const config = await authConfigsRepo(deps.db).findById(account.authConfigId);
  return accountView(deps, account, config, await pendingRedirectUrl(deps, account));
}

export async function viewAccount(deps: Deps, id: string): Promise<AccountView> {
  return viewOf(deps, await getAccount(deps, id));
}

/** Filters by status as the API shows it: an abandoned INITIATED account counts as EXPIRED. */
export async function listAccounts(
  deps: Deps,
  filter: Omit<ConnectedAccountFilter, 'abandonedBefore'>,
): Promise<{ items: AccountView[]; total: number }> {
  const { accounts, total } = await connectedAccountsRepo(deps.db).list({ ...filter, abandonedBefore: abandonedBefore(deps) });
  return { items: await Promise.all(accounts.map((account) => viewOf(deps, withAbandonedExpired(deps, account)))), total };
}
