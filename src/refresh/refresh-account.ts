import { CacheSlot, type Deps } from '../deps.ts';
import { newId } from '../ids.ts';
import { OAuthFlowError } from '../oauth/client.ts';
import { canRefresh, schemeFor, schemeModule } from '../schemes/registry.ts';
import { credentialsOf, sealCredentials } from '../services/account-state.ts';
import { schemeContext, toolkitOf } from '../services/auth-configs.ts';
import { authConfigsRepo } from '../../storage/repos/auth-configs.ts';
import { cleanRefreshState, connectedAccountsRepo } from '../../storage/repos/connected-accounts.ts';
import { refreshRepo } from '../../storage/repos/refresh.ts';
import { emitAccountEvent } from '../webhooks/events.ts';
import { recordConnectionEvent } from '../services/audit-log.ts';
import { metricsOf } from '../services/metrics.ts';
import type { ConnectedAccount } from '../../storage/domain.ts';

export { expiryOf } from '../schemes/oauth2.ts';

/**
 * Refreshing one account's credential (OAuth2 tokens, or whatever its scheme renews), safely under concurrency:
 * 1. single-flight inside the process (callers of one account share one promise);
 * 2. a lease row in the database, so two processes never refresh one account at once;
 * 3. after taking the lease, the row is read again: if another process already refreshed, done;
 * 4. the new tokens (a rotated refresh token included) are stored and the lease released in one transaction.
 * A transient failure backs off without marking the account; `invalid_grant` (or failing for too long)
 * turns it EXPIRED with Composio's status_reason and an event.
 */

// who holds a lease: one id per app (Deps), so two apps on one database, even in one process, exclude each other
const LEASE_HOLDER = new CacheSlot('refresh lease holder id', () => newId('proc'));
const holderOf = (deps: Deps) => deps.caches.get(LEASE_HOLDER);
// longer than a token request may take (15 s), short enough that a crashed holder blocks its accounts briefly
const LEASE_TTL_MS = 20_000;
const COOLDOWN_BASE_MS = 30_000;
const COOLDOWN_MAX_MS = 3_600_000;
const GIVE_UP_AFTER_FAILURES = 10;
const GIVE_UP_AFTER_MS = 86_400_000;

export const REFRESH_REASONS = {
  PERMANENT: 'Permanent auth error during token refresh',
  MAX_FAILURES: 'Max auth failures reached',
  NO_REFRESH_TOKEN: 'OAuth access token expired and no refresh token was granted',
} as const;

export type RefreshOutcome = 'refreshed' | 'fresh' | 'expired' | 'backoff' | 'not_refreshable';

/** this app's refreshes running now, by account: one at a time per account (single flight) */
const IN_FLIGHT = new CacheSlot('refreshes in flight', () => new Map<string, Promise<RefreshOutcome>>());

export function needsRefresh(deps: Deps, account: ConnectedAccount): boolean {
  return (
    canRefresh(account.authScheme) &&
    account.status === 'ACTIVE' &&
    account.expiresAt !== null &&
    account.expiresAt - deps.config.refresh.marginMs <= deps.clock.now()
  );
}

export function refreshAccount(deps: Deps, accountId: string, options: { force?: boolean } = {}): Promise<RefreshOutcome> {
  const inFlight = deps.caches.get(IN_FLIGHT);
  const running = inFlight.get(accountId);
  if (running) return running;
  const refreshes = metricsOf(deps).refreshes;
  const work = refreshUnderLease(deps, accountId, options.force ?? false)
    .then(
      (outcome) => {
        refreshes.inc({ outcome });
        return outcome;
      },
      (error: unknown) => {
        refreshes.inc({ outcome: 'error' });
        throw error;
      },
    )
    .finally(() => inFlight.delete(accountId));
  inFlight.set(accountId, work);
  return work;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function refreshUnderLease(deps: Deps, accountId: string, force: boolean): Promise<RefreshOutcome> {
  const leases = refreshRepo(deps.db);
  const accounts = connectedAccountsRepo(deps.db);
  const before = await accounts.findById(accountId);
  if (!before) return 'not_refreshable';
  const deadline = Date.now() + LEASE_TTL_MS;
  while (!(await leases.acquireLease(accountId, holderOf(deps), deps.clock.now(), LEASE_TTL_MS))) {
    // another process is refreshing: wait for it, then use what it stored
    if (Date.now() > deadline) return 'backoff';
    await sleep(50 + Math.random() * 50);
    const now = await accounts.findById(accountId);
    if (!now || now.credentialsSealed !== before.credentialsSealed || now.status !== 'ACTIVE') return 'fresh';
  }
  try {
    const account = await accounts.findById(accountId);
    if (!account || account.status !== 'ACTIVE' || !canRefresh(account.authScheme)) {
      await leases.releaseLease(accountId, holderOf(deps));
      return 'not_refreshable';
    }
    // re-read after the lease: another process may have refreshed while we waited
    if (account.credentialsSealed !== before.credentialsSealed || (!force && !needsRefresh(deps, account) && !isIdleDue(deps, account))) {
      await leases.releaseLease(accountId, holderOf(deps));
      return 'fresh';
    }
    if (!force && account.nextRefreshAt !== null && account.nextRefreshAt > deps.clock.now()) {
      await leases.releaseLease(accountId, holderOf(deps));
      return 'backoff';
    }
    return await refreshNow(deps, account);
  } catch (error) {
    await leases.releaseLease(accountId, holderOf(deps)).catch(() => undefined);
    throw error;
  }
}

function isIdleDue(deps: Deps, account: ConnectedAccount): boolean {
  return (account.lastRefreshedAt ?? account.updatedAt) <= deps.clock.now() - deps.config.refresh.idleMs;
}

async function refreshNow(deps: Deps, account: ConnectedAccount): Promise<RefreshOutcome> {
  const leases = refreshRepo(deps.db);
  const credentials = credentialsOf(deps, account);
  const toolkit = toolkitOf(deps, account.toolkitSlug);
  const module = schemeModule(account.authScheme);
  const config = await authConfigsRepo(deps.db).findById(account.authConfigId);
  const now = deps.clock.now();
  try {
    const grant =
      config && schemeFor(toolkit, account.authScheme)
        ? await module.refresh!(schemeContext(deps, config, toolkit, account.connectionData, account.id), credentials)
        : null;
    if (!grant) {
      await expire(deps, account, REFRESH_REASONS.NO_REFRESH_TOKEN);
      return 'expired';
    }
    await leases.finish(account.id, holderOf(deps), {
      credentialsSealed: sealCredentials(deps, account.id, grant.credentials),
      expiresAt: grant.expiresAt,
      ...cleanRefreshState(deps.clock.now()),
      updatedAt: deps.clock.now(),
    });
    deps.log.info(
      {
        connected_account_id: account.id,
        rotated: Boolean(grant.credentials.refresh_token && grant.credentials.refresh_token !== credentials.refresh_token),
      },
      'tokens refreshed',
    );
    await recordConnectionEvent(deps, account, 'refreshed');
    return 'refreshed';
  } catch (error) {
    const failure = error instanceof OAuthFlowError ? error : new OAuthFlowError('server_error', 'unexpected refresh failure');
    if (failure.isPermanent) {
      deps.log.warn({ connected_account_id: account.id, oauth_error: failure.error }, 'refresh refused: account expired');
      await expire(deps, account, `${REFRESH_REASONS.PERMANENT} (${failure.error})`);
      return 'expired';
    }
    const failures = account.refreshFailures + 1;
    const since = account.refreshFailingSince ?? now;
    if (failures >= GIVE_UP_AFTER_FAILURES && now - since >= GIVE_UP_AFTER_MS) {
      await expire(deps, account, REFRESH_REASONS.MAX_FAILURES);
      return 'expired';
    }
    const cooldown = Math.min(COOLDOWN_BASE_MS * 2 ** (failures - 1), COOLDOWN_MAX_MS);
    deps.log.warn(
      { connected_account_id: account.id, oauth_error: failure.error, failures, retry_in_ms: cooldown },
      'refresh failed: will retry',
    );
    await leases.finish(account.id, holderOf(deps), {
      refreshFailures: failures,
      refreshFailingSince: since,
      nextRefreshAt: now + cooldown,
    });
    await recordConnectionEvent(deps, account, 'refresh_failed', { error: failure.error, failures, retry_in_ms: cooldown });
    return 'backoff';
  }
}

async function expire(deps: Deps, account: ConnectedAccount, reason: string): Promise<void> {
  await emitAccountEvent(deps, 'composio.connected_account.expired', account.id, async (trx) => {
    const expired = await connectedAccountsRepo(trx).expire(account.id, reason, deps.clock.now());
    await refreshRepo(trx).releaseLease(account.id, holderOf(deps));
    return expired;
  });
}
