import type { Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authConfigsRepo } from '../../storage/repos/auth-configs.ts';
import { connectedAccountsRepo } from '../../storage/repos/connected-accounts.ts';
import { refreshRepo } from '../../storage/repos/refresh.ts';
import { outboxRepo } from '../../storage/repos/webhooks.ts';
import type { Database } from '../../storage/schema.ts';
import { insertOutboxEvents } from '../helpers/outbox-rows.ts';
import { activeOAuth2Account } from '../helpers/seed.ts';
import { openTempStorage } from '../helpers/temp-storage.ts';

// Leases and claims on the backend under test (SQLite, or PostgreSQL with LATCHKEY_TEST_BACKEND=postgres).
let temp: Awaited<ReturnType<typeof openTempStorage>>;
let db: Kysely<Database>;
const TTL = 20_000;

beforeAll(async () => {
  temp = await openTempStorage();
  db = temp.storage.db;
});
afterAll(() => temp.close());

async function account(id: string, credentialsSealed: string) {
  const now = Date.now();
  await authConfigsRepo(db).insert({
    id: `ac_${id}`,
    toolkitSlug: 'github',
    name: 'lease',
    type: 'custom',
    authScheme: 'OAUTH2',
    isComposioManaged: false,
    status: 'ENABLED',
    settings: {},
    credentialsSealed: null,
    createdAt: now,
    updatedAt: now,
  });
  await connectedAccountsRepo(db).insert(
    activeOAuth2Account({ id, userId: id, toolkitSlug: 'github', authConfigId: `ac_${id}`, credentialsSealed, expiresAt: null, now }),
  );
}

/** Makes a live lease lapse, as a holder stalled past its TTL would see it (on either clock). */
const lapse = (accountId: string) => db.updateTable('refresh_leases').set({ expires_at: 0 }).where('account_id', '=', accountId).execute();

describe('the refresh lease', () => {
  it('has one holder at a time: a live lease refuses a second holder, a lapsed one is taken over', async () => {
    const leases = refreshRepo(db);
    expect(await leases.acquireLease('ca_one', 'lease_a', Date.now(), TTL)).toBe(true);
    expect(await leases.acquireLease('ca_one', 'lease_b', Date.now(), TTL)).toBe(false);
    await lapse('ca_one');
    expect(await leases.acquireLease('ca_one', 'lease_b', Date.now(), TTL)).toBe(true);
    expect(await db.selectFrom('refresh_leases').select('holder').where('account_id', '=', 'ca_one').execute()).toEqual([
      { holder: 'lease_b' },
    ]);
  });

  it('fences the finish: a holder whose lease lapsed and was taken over writes nothing and keeps the newer tokens', async () => {
    await account('ca_fenced', 'tokens-0');
    const leases = refreshRepo(db);
    expect(await leases.acquireLease('ca_fenced', 'lease_a', Date.now(), TTL)).toBe(true);
    await lapse('ca_fenced');
    expect(await leases.acquireLease('ca_fenced', 'lease_b', Date.now(), TTL)).toBe(true);
    expect(await leases.finish('ca_fenced', 'lease_b', { credentialsSealed: 'tokens-b' })).toBe(true);
    // the stalled first holder comes back with what it got: 0 rows, the newer tokens stay
    expect(await leases.finish('ca_fenced', 'lease_a', { credentialsSealed: 'tokens-a' })).toBe(false);
    expect((await connectedAccountsRepo(db).findById('ca_fenced'))?.credentialsSealed).toBe('tokens-b');
    // and while the one that took over still holds it, the stalled one neither writes nor releases it
    expect(await leases.acquireLease('ca_fenced', 'lease_c', Date.now(), TTL)).toBe(true);
    expect(await leases.finish('ca_fenced', 'lease_a', { credentialsSealed: 'tokens-a' })).toBe(false);
    expect(await leases.releaseLease('ca_fenced', 'lease_a')).toBe(false);
    expect((await connectedAccountsRepo(db).findById('ca_fenced'))?.credentialsSealed).toBe('tokens-b');
    expect(await leases.finish('ca_fenced', 'lease_c', { credentialsSealed: 'tokens-c' })).toBe(true);
    expect((await connectedAccountsRepo(db).findById('ca_fenced'))?.credentialsSealed).toBe('tokens-c');
  });
});

describe('the outbox claim', () => {
  it('claims each due event once, oldest first, and never an account’s later event before its earlier one is delivered', async () => {
    const now = Date.now();
    await insertOutboxEvents(db, now, ['x1', 'x2', 'x3']);
    // a second account's events, interleaved
    await db
      .insertInto('webhook_outbox')
      .values(
        ['y1', 'y2'].map((event_id) => ({
          event_id,
          subscription_id: 'ws_1',
          event_type: 't',
          account_id: 'ca_2',
          payload: '{}',
          attempts: 0,
          next_attempt_at: now,
          created_at: now,
        })),
      )
      .execute();
    const outbox = outboxRepo(db);
    const ids = (list: Array<{ eventId: string }>) => list.map((e) => e.eventId);
    const first = await outbox.claimDue(now, 10, 30_000);
    expect(ids(first)).toEqual(['x1', 'y1']);
    // claimed, not yet delivered: nobody else gets them, nor the accounts' next events
    expect(await outbox.claimDue(now, 10, 30_000)).toEqual([]);
    await outbox.markDelivered(first[0]!.seq, 200, now, 1);
    expect(ids(await outbox.claimDue(now, 10, 30_000))).toEqual(['x2']);
    // a failed delivery keeps the account's next event back until it is due again and delivered
    await outbox.markFailed(first[1]!.seq, 503, 1, now + 1000);
    expect(await outbox.claimDue(now, 10, 30_000)).toEqual([]);
    expect(ids(await outbox.claimDue(now + 1000, 10, 30_000))).toEqual(['y1']);
  });
});
