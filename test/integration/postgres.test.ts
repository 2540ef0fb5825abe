import pg from 'pg';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrateToLatest, openStorage, writeTransaction, type Storage } from '../../storage/db.ts';
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
});
