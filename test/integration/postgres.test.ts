import pg from 'pg';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrateToLatest, openStorage, writeTransaction, type Storage } from '../../storage/db.ts';
import { refreshRepo } from '../../storage/repos/refresh.ts';
import { verificationsRepo } from '../../storage/repos/verifications.ts';
import { outboxRepo } from '../../storage/repos/webhooks.ts';
import { insertOutboxEvents } from '../helpers/outbox-rows.ts';
import { createTestDatabase } from '../helpers/test-database.ts';

// The PostgreSQL branch of storage, on the run's throwaway cluster whatever LATCHKEY_TEST_BACKEND says.
let database: Awaited<ReturnType<typeof createTestDatabase>>;
const opened: Storage[] = [];
const open = (onIdleError?: (error: Error) => void) => {
  const storage = openStorage({ dialect: 'postgres', url: database.url }, onIdleError);
  opened.push(storage);
  return storage;
};

beforeAll(async () => {
  database = await createTestDatabase();
  await migrateToLatest(open().db);
});
afterAll(async () => {
  await Promise.all(opened.map((s) => s.close()));
  await database.drop();
});

describe('PostgreSQL storage', () => {
  it('stores epoch milliseconds and outbox numbers as bigint and reads them back as numbers', async () => {
    const { db } = open();
    const now = 1_764_478_000_000; // beyond a 32-bit integer
    await db.insertInto('installation').values({ id: 'lk_time', created_at: now }).execute();
    expect(await db.selectFrom('installation').selectAll().where('id', '=', 'lk_time').executeTakeFirst()).toEqual({
      id: 'lk_time',
      created_at: now,
    });
    expect(await insertOutboxEvents(db, now, ['e1', 'e2'])).toEqual([
      { seq: 1, event_id: 'e1', created_at: now },
      { seq: 2, event_id: 'e2', created_at: now },
    ]);
    // counts are int8 too
    expect(
      (
        await db
          .selectFrom('webhook_outbox')
          .select((e) => e.fn.countAll().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    ).toBe(2);
  });

  it('refuses an int8 beyond JavaScript’s safe integers rather than rounding it', async () => {
    await expect(sql`select 9007199254740993::bigint as n`.execute(open().db)).rejects.toThrow(/beyond JavaScript's safe integers/);
  });

  it('keeps serving when the server drops its connections, and says so', async () => {
    const dropped: Error[] = [];
    const { db } = open((error) => dropped.push(error));
    await db.selectFrom('installation').select('id').execute();
    const admin = new pg.Client({ connectionString: database.url });
    await admin.connect();
    const { rowCount } = await admin.query(
      `select pg_terminate_backend(pid) from pg_stat_activity where application_name = 'latchkey' and datname = current_database() and pid <> pg_backend_pid()`,
    );
    await admin.end();
    expect(rowCount).toBeGreaterThan(0);
    await expect.poll(() => dropped.length).toBeGreaterThan(0);
    expect(await db.selectFrom('installation').select('id').where('id', '=', 'lk_time').execute()).toEqual([{ id: 'lk_time' }]);
  });

  it('survives the server ending a connection that is checked out between two statements of a transaction', async () => {
    const { db } = open();
    const terminate = async () => {
      const admin = new pg.Client({ connectionString: database.url });
      await admin.connect();
      await admin.query(
        `select pg_terminate_backend(pid) from pg_stat_activity where application_name = 'latchkey' and datname = current_database() and pid <> pg_backend_pid()`,
      );
      await admin.end();
    };
    const held = db.transaction().execute(async (trx) => {
      await trx.selectFrom('installation').select('id').execute();
      await terminate(); // the server's notice arrives while no statement of this client runs
      await new Promise((r) => setTimeout(r, 200));
      await trx.selectFrom('installation').select('id').execute();
    });
    await expect(held).rejects.toThrow();
    expect(await db.selectFrom('installation').select('id').where('id', '=', 'lk_time').execute()).toEqual([{ id: 'lk_time' }]);
  });

  it('runs write transactions one at a time across pools, so a read-then-insert never doubles', async () => {
    const pools = [open(), open()];
    const insertIfMissing = (storage: Storage, id: string) =>
      writeTransaction(storage.db, async (trx) => {
        const found = await trx.selectFrom('installation').select('id').where('id', 'like', 'lk_once_%').execute();
        await new Promise((r) => setTimeout(r, 100)); // both would read "nothing there" without the lock
        if (found.length === 0) await trx.insertInto('installation').values({ id, created_at: 1 }).execute();
      });
    await Promise.all([insertIfMissing(pools[0]!, 'lk_once_a'), insertIfMissing(pools[1]!, 'lk_once_b')]);
    expect(await pools[0]!.db.selectFrom('installation').select('id').where('id', 'like', 'lk_once_%').execute()).toHaveLength(1);
  });

  it('judges leases and claims by the database’s clock: a process whose clock runs an hour ahead takes over nothing', async () => {
    const { db } = open();
    const hourAhead = Date.now() + 3_600_000;
    const leases = refreshRepo(db);
    expect(await leases.acquireLease('ca_skew', 'lease_a', Date.now(), 20_000)).toBe(true);
    expect(await leases.acquireLease('ca_skew', 'lease_b', hourAhead, 20_000)).toBe(false);
    // and the expiry written is the database's now plus the TTL, whatever the writer's clock says
    const behind = await leases.acquireLease('ca_skew_2', 'lease_c', 0, 20_000);
    const row = await db.selectFrom('refresh_leases').select('expires_at').where('account_id', '=', 'ca_skew_2').executeTakeFirstOrThrow();
    expect(behind).toBe(true);
    expect(Math.abs(row.expires_at - (Date.now() + 20_000))).toBeLessThan(5_000);

    await db.deleteFrom('webhook_outbox').execute();
    await db.deleteFrom('webhook_subscriptions').execute();
    await insertOutboxEvents(db, Date.now(), ['skew1']);
    const outbox = outboxRepo(db);
    expect((await outbox.claimDue(Date.now(), 10, 30_000)).map((e) => e.eventId)).toEqual(['skew1']);
    expect(await outbox.claimDue(hourAhead, 10, 30_000)).toEqual([]);
  });

  it('shares the outbox between pools claiming at once: each event claimed once, each account in order', async () => {
    const { db } = open();
    await db.deleteFrom('webhook_outbox').execute();
    await db.deleteFrom('webhook_subscriptions').execute();
    const now = Date.now();
    await insertOutboxEvents(db, now, ['ev_first']); // account ca_1
    const rows = Array.from({ length: 120 }, (_, i) => ({
      event_id: `ev${i}`,
      subscription_id: 'ws_1',
      event_type: 't',
      account_id: `ca_${i % 12}`,
      payload: '{}',
      attempts: 0,
      next_attempt_at: now,
      created_at: now,
    }));
    await db.insertInto('webhook_outbox').values(rows).execute();
    const delivered: Array<{ seq: number; accountId: string }> = [];
    const claimedSeqs: number[] = [];
    await Promise.all(
      [open(), open(), open(), open()].map(async ({ db: pool }) => {
        const outbox = outboxRepo(pool);
        for (let idle = 0; idle < 20; ) {
          const claimed = await outbox.claimDue(Date.now(), 5, 30_000);
          if (claimed.length === 0) {
            idle += 1;
            await new Promise((r) => setTimeout(r, 5));
            continue;
          }
          for (const event of claimed) {
            claimedSeqs.push(event.seq);
            delivered.push({ seq: event.seq, accountId: event.accountId });
            await outbox.markDelivered(event.seq, 200, Date.now(), 1);
          }
        }
      }),
    );
    expect(claimedSeqs).toHaveLength(121);
    expect(new Set(claimedSeqs).size).toBe(121);
    for (let a = 0; a < 12; a++) {
      const seqs = delivered.filter((d) => d.accountId === `ca_${a}`).map((d) => d.seq);
      expect(seqs).toEqual([...seqs].sort((x, y) => x - y));
    }
  });

  it('keeps one verification per subject when several processes store one for it at once', async () => {
    const now = Date.now();
    const pools = [open(), open(), open()];
    await Promise.all(
      Array.from({ length: 9 }, (_, i) =>
        verificationsRepo(pools[i % 3]!.db).insert({
          id: `vf_race${i}`,
          kind: 'mcp_authorization_return',
          subjectId: 'subject-raced',
          userId: 'u',
          refHash: `ref-${i}`,
          payloadSealed: 'x',
          createdAt: now,
          expiresAt: now + 600_000,
          usedAt: null,
        }),
      ),
    );
    const rows = await pools[0]!.db.selectFrom('verifications').select('id').where('subject_id', '=', 'subject-raced').execute();
    expect(rows).toHaveLength(1);
  });
});
