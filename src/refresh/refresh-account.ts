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
 * 4. the new tokens (a rotated refresh token included) are stored and the lease released in one transaction,
 *    fenced by the lease's token: a holder whose lease lapsed and was taken over writes nothing and
 *    announces nothing (storage/repos/refresh.ts: finish).
 * A transient failure backs off without marking the account; `invalid_grant` (or failing for too long)
 * turns it EXPIRED with Composio's status_reason and an event.
 */

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
  // this acquisition's fencing token: two apps on one database, even in one process, exclude each other
  const lease = newId('lease');
  const deadline = Date.now() + LEASE_TTL_MS;
  while (!(await leases.acquireLease(accountId, lease, deps.clock.now(), LEASE_TTL_MS))) {
    // another process is refreshing: wait for it, then use what it stored
    if (Date.now() > deadline) return 'backoff';
    await sleep(50 + Math.random() * 50);
    const now = await accounts.findById(accountId);
    if (!now || now.credentialsSealed !== before.credentialsSealed || now.status !== 'ACTIVE') return 'fresh';
  }
  try {
    const account = await accounts.findById(accountId);
    if (!account || account.status !== 'ACTIVE' || !canRefresh(account.authScheme)) {
      await leases.releaseLease(accountId, lease);
      return 'not_refreshable';
    }
    // re-read after the lease: another process may have refreshed while we waited
    if (account.credentialsSealed !== before.credentialsSealed || (!force && !needsRefresh(deps, account) && !isIdleDue(deps, account))) {
      await leases.releaseLease(accountId, lease);
      return 'fresh';
    }
    if (!force && account.nextRefreshAt !== null && account.nextRefreshAt > deps.clock.now()) {
      await leases.releaseLease(accountId, lease);
      return 'backoff';
    }
    return await refreshNow(deps, account, lease);
  } catch (error) {
    await leases.releaseLease(accountId, lease).catch(() => undefined);
    throw error;
  }
}

function isIdleDue(deps: Deps, account: ConnectedAccount): boolean {
  return (account.lastRefreshedAt ?? account.updatedAt) <= deps.clock.now() - deps.config.refresh.idleMs;
}

/** What a holder whose lease was taken over answers: the holder that took over stores its own outcome. */
function leaseLost(deps: Deps, account: ConnectedAccount): RefreshOutcome {
  deps.log.warn({ connected_account_id: account.id }, 'refresh lease lapsed and was taken over: outcome discarded');
  return 'fresh';
}

async function refreshNow(deps: Deps, account: ConnectedAccount, lease: string): Promise<RefreshOutcome> {
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
    if (!grant) return await expire(deps, account, REFRESH_REASONS.NO_REFRESH_TOKEN, lease);
    const stored = await leases.finish(account.id, lease, {
      credentialsSealed: sealCredentials(deps, account.id, grant.credentials),
      expiresAt: grant.expiresAt,
      ...cleanRefreshState(deps.clock.now()),
      updatedAt: deps.clock.now(),
    });
    if (!stored) return leaseLost(deps, account);
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
      return await expire(deps, account, `${REFRESH_REASONS.PERMANENT} (${failure.error})`, lease);
    }
    const failures = account.refreshFailures + 1;
    const since = account.refreshFailingSince ?? now;
    if (failures >= GIVE_UP_AFTER_FAILURES && now - since >= GIVE_UP_AFTER_MS) {
      return await expire(deps, account, REFRESH_REASONS.MAX_FAILURES, lease);
    }
    const cooldown = Math.min(COOLDOWN_BASE_MS * 2 ** (failures - 1), COOLDOWN_MAX_MS);
    deps.log.warn(
      { connected_account_id: account.id, oauth_error: failure.error, failures, retry_in_ms: cooldown },
      'refresh failed: will retry',
    );
    const stored = await leases.finish(account.id, lease, {
      refreshFailures: failures,
      refreshFailingSince: since,
      nextRefreshAt: now + cooldown,
    });
    if (!stored) return leaseLost(deps, account);
    await recordConnectionEvent(deps, account, 'refresh_failed', { error: failure.error, failures, retry_in_ms: cooldown });
    return 'backoff';
  }
}

/** Expires the account with its event, fenced like `finish`: only while this lease is still held. */
async function expire(deps: Deps, account: ConnectedAccount, reason: string, lease: string): Promise<RefreshOutcome> {
  let held = true;
  await emitAccountEvent(deps, 'composio.connected_account.expired', account.id, async (trx) => {
    held = await refreshRepo(trx).releaseLease(account.id, lease);
    return held && (await connectedAccountsRepo(trx).expire(account.id, reason, deps.clock.now()));
  });
  return held ? 'expired' : leaseLost(deps, account);
}
