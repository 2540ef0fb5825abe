import { afterAll, describe, expect, it } from 'vitest';
import BetterSqlite3 from 'better-sqlite3';
import { openStorage, migrateToLatest, writeTransaction } from '../../storage/db.ts';
import { mapRemembered, prepared } from '../../storage/prepared.ts';
import { sqliteOf } from '../../storage/sqlite.ts';
import { activityLogRepo } from '../../storage/repos/activity-log.ts';
import type { ToolExecution } from '../../storage/domain.ts';
import { newLogId } from '../../src/ids.ts';
import { makeTempDir } from '../helpers/temp-dir.ts';

const dir = makeTempDir();
afterAll(() => dir.cleanup());

describe('storage', () => {
  it('writes whole-number LIMIT and OFFSET into the SQL and keeps everything else a bound parameter', async () => {
    const storage = openStorage({ dialect: 'sqlite', path: `${dir.path}/a.db` });
    await migrateToLatest(storage.db);
    const query = storage.db.selectFrom('sessions').select('id').where('user_id', '=', "x' or 1=1 --").orderBy('id').limit(50).offset(100);
    const compiled = query.compile();
    expect(compiled.sql).toMatch(/limit 50 offset 100$/);
    expect(compiled.parameters).toEqual(["x' or 1=1 --"]);
    // anything but a safe whole number stays a parameter
    expect(storage.db.selectFrom('sessions').select('id').limit(2.5).compile().parameters).toEqual([2.5]);
    await storage.close();
  });

  it('pages with inlined limits exactly as with bound ones, and reuses prepared statements safely', async () => {
    const storage = openStorage({ dialect: 'sqlite', path: `${dir.path}/b.db` });
    await migrateToLatest(storage.db);
    const rows = Array.from({ length: 25 }, (_, i) => ({ id: `k${String(i).padStart(2, '0')}`, created_at: i }));
    await storage.db.insertInto('installation').values(rows).execute();
    const page = (limit: number, offset: number) =>
      storage.db.selectFrom('installation').select('id').orderBy('id').limit(limit).offset(offset).execute();
    for (let round = 0; round < 2; round++) {
      expect((await page(10, 0)).map((r) => r.id)).toEqual(rows.slice(0, 10).map((r) => r.id));
      expect((await page(10, 20)).map((r) => r.id)).toEqual(rows.slice(20).map((r) => r.id));
    }
    await storage.close();
  });
});

describe('prepared queries', () => {
  it('compile once and run with each call’s own values, constants kept', async () => {
    const storage = openStorage({ dialect: 'sqlite', path: `${dir.path}/c.db` });
    await migrateToLatest(storage.db);
    await storage.db
      .insertInto('installation')
      .values([
        { id: 'a', created_at: 1 },
        { id: 'b', created_at: 2 },
        { id: 'c', created_at: 3 },
      ])
      .execute();
    const newerThan = (db: typeof storage.db) =>
      prepared(db, 'test.newerThan', (after: number, except: string) =>
        db
          .selectFrom('installation')
          .select('id')
          .where('created_at', '>', after)
          .where('id', '!=', except)
          .where('id', '!=', 'zz')
          .orderBy('id'),
      );
    expect((await newerThan(storage.db)(1, 'c')).map((r) => r.id)).toEqual(['b']);
    expect((await newerThan(storage.db)(0, 'b')).map((r) => r.id)).toEqual(['a', 'c']);
    // a hostile value is a value, not SQL
    expect(await newerThan(storage.db)(0, "a' or '1'='1")).toHaveLength(3);
    await storage.close();
  });

  it("never read another caller's uncommitted rows: during an open transaction they wait for its end", async () => {
    const storage = openStorage({ dialect: 'sqlite', path: `${dir.path}/e.db` });
    await migrateToLatest(storage.db);
    const byId = (id: string) =>
      prepared(storage.db, 'test.installationById', (wanted: string) =>
        storage.db.selectFrom('installation').select('id').where('id', '=', wanted),
      )(id);
    let read: Promise<Array<{ id: string }>> | undefined;
    // the insert is rolled back: a read made while it was open must not have seen it
    await writeTransaction(storage.db, async (trx) => {
      await trx.insertInto('installation').values({ id: 'uncommitted', created_at: 1 }).execute();
      read = byId('uncommitted');
      await new Promise((resolve) => setTimeout(resolve, 20));
      throw new Error('roll back');
    }).catch((error: Error) => expect(error.message).toBe('roll back'));
    expect(await read).toEqual([]);
    // and outside any transaction the same read sees what is committed
    await storage.db.insertInto('installation').values({ id: 'committed', created_at: 2 }).execute();
    expect(await byId('committed')).toEqual([{ id: 'committed' }]);
    await storage.close();
  });

  it('answer from memory only until the next write, by this connection or by another process on the file', async () => {
    const storage = openStorage({ dialect: 'sqlite', path: `${dir.path}/h.db` });
    await migrateToLatest(storage.db);
    const at = (id: string) =>
      prepared(storage.db, 'test.installationAt', (wanted: string) =>
        storage.db.selectFrom('installation').select(['id', 'created_at']).where('id', '=', wanted),
      )(id);
    await storage.db.insertInto('installation').values({ id: 'one', created_at: 1 }).execute();
    const first = await at('one');
    expect(first).toEqual([{ id: 'one', created_at: 1 }]);
    // shared between callers, so nobody may change them
    expect(Object.isFrozen(first) && Object.isFrozen(first[0])).toBe(true);
    expect(await at('one')).toBe(first);
    // a write through this process's own connection
    await storage.db.updateTable('installation').set({ created_at: 2 }).where('id', '=', 'one').execute();
    expect(await at('one')).toEqual([{ id: 'one', created_at: 2 }]);
    // a write by another connection (a CLI, a second process): SQLite's data_version moves
    const other = new BetterSqlite3(`${dir.path}/h.db`);
    other.prepare('update installation set created_at = 3 where id = ?').run('one');
    other.close();
    expect(await at('one')).toEqual([{ id: 'one', created_at: 3 }]);
    // a row that was absent (a read remembered as empty) appears with the write that adds it
    expect(await at('two')).toEqual([]);
    await storage.db.insertInto('installation').values({ id: 'two', created_at: 4 }).execute();
    expect(await at('two')).toEqual([{ id: 'two', created_at: 4 }]);
    // and a delete is seen at once
    await storage.db.deleteFrom('installation').where('id', '=', 'one').execute();
    expect(await at('one')).toEqual([]);
    await storage.close();
  });

  it("tell a write from a read without running a statement: the WAL's shared header moves with every commit, from any process", async () => {
    const path = `${dir.path}/g.db`;
    const storage = openStorage({ dialect: 'sqlite', path });
    await migrateToLatest(storage.db);
    const handle = sqliteOf(storage.db)!;
    expect(handle.generationSource).toBe('wal-index');
    const start = handle.generation();
    // reads leave it where it is
    await storage.db.selectFrom('installation').selectAll().execute();
    expect(handle.generation()).toBe(start);
    // a commit on this connection, then one by another connection (a CLI, a second process), each move it
    await storage.db.insertInto('installation').values({ id: 'one', created_at: 1 }).execute();
    const afterOwn = handle.generation();
    expect(afterOwn).not.toBe(start);
    const other = new BetterSqlite3(path);
    other.prepare('update installation set created_at = 2').run();
    other.close();
    const afterOther = handle.generation();
    expect(afterOther).not.toBe(afterOwn);
    expect(handle.generation()).toBe(afterOther);
    // a write inside a transaction moves it when the transaction commits, not before
    handle.sqlite.exec('begin immediate');
    handle.sqlite.prepare('update installation set created_at = 3').run();
    expect(handle.generation()).toBe(afterOther);
    handle.sqlite.exec('commit');
    expect(handle.generation()).not.toBe(afterOther);
    await storage.close();
    // an in-memory database has no shared header to read: SQLite is asked instead, with the same answers
    const memory = openStorage({ dialect: 'sqlite', path: ':memory:' });
    await migrateToLatest(memory.db);
    const inMemory = sqliteOf(memory.db)!;
    expect(inMemory.generationSource).toBe('statements');
    const first = inMemory.generation();
    expect(inMemory.generation()).toBe(first);
    await memory.db.insertInto('installation').values({ id: 'one', created_at: 1 }).execute();
    expect(inMemory.generation()).not.toBe(first);
    await memory.close();
  });

  it('map a remembered row once, into a value frozen like the row; a row read afresh is mapped again', async () => {
    const storage = openStorage({ dialect: 'sqlite', path: `${dir.path}/m.db` });
    await migrateToLatest(storage.db);
    const at = prepared(storage.db, 'test.installationMapped', (wanted: string) =>
      storage.db.selectFrom('installation').select(['id', 'created_at']).where('id', '=', wanted),
    );
    let made = 0;
    const toDomain = (row: { id: string; created_at: number }) => ((made += 1), { id: row.id, created: { at: row.created_at } });
    await storage.db.insertInto('installation').values({ id: 'one', created_at: 1 }).execute();
    const [first] = mapRemembered(await at('one'), toDomain);
    const [again] = mapRemembered(await at('one'), toDomain);
    expect(again).toBe(first);
    expect(made).toBe(1);
    // every caller shares it, so nobody may change it, however deep
    expect(Object.isFrozen(first) && Object.isFrozen(first!.created)).toBe(true);
    // the write makes a new remembered row, and a new value from it
    await storage.db.updateTable('installation').set({ created_at: 2 }).where('id', '=', 'one').execute();
    expect(mapRemembered(await at('one'), toDomain)).toEqual([{ id: 'one', created: { at: 2 } }]);
    expect(made).toBe(2);
    // rows not remembered (PostgreSQL's, a read through Kysely) are mapped on every call and left as they are
    const fresh = await storage.db.selectFrom('installation').select(['id', 'created_at']).execute();
    const [mapped] = mapRemembered(fresh, toDomain);
    expect(mapRemembered(fresh, toDomain)[0]).not.toBe(mapped);
    expect(Object.isFrozen(mapped)).toBe(false);
    await storage.close();
  });

  it('refuses a query whose argument does not become a parameter', async () => {
    const storage = openStorage({ dialect: 'sqlite', path: `${dir.path}/d.db` });
    await migrateToLatest(storage.db);
    expect(() => prepared(storage.db, 'test.unused', (_unused: string) => storage.db.selectFrom('installation').select('id'))).toThrow(
      /argument 0 is not a parameter/,
    );
    await storage.close();
  });
});

describe('execution log rows', () => {
  const execution = (id: string, createdAt = 1_000): ToolExecution => ({
    id,
    createdAt,
    sessionId: null,
    userId: 'u1',
    toolkitSlug: 'github',
    toolSlug: 'GITHUB_GET_A_REPOSITORY',
    connectedAccountId: null,
    authConfigId: null,
    outcome: 'success',
    upstreamStatus: 200,
    durationMs: 3,
    errorMessage: null,
    requestId: null,
    payloadSealed: null,
  });

  it('are written as one batch: all of it or, when one row is refused, none of it', async () => {
    const storage = openStorage({ dialect: 'sqlite', path: `${dir.path}/f.db` });
    await migrateToLatest(storage.db);
    const repo = activityLogRepo(storage.db);
    const first = [execution(newLogId()), execution(newLogId(), 2_000)];
    await repo.insertExecutions(first);
    for (const row of first) expect(await repo.findExecution(row.id)).toEqual(row);
    // a batch holding an id already stored fails whole: the log's flush then retries row by row
    const fresh = execution(newLogId());
    await expect(repo.insertExecutions([fresh, execution(first[0]!.id)])).rejects.toThrow(/UNIQUE/);
    expect(await repo.findExecution(fresh.id)).toBeUndefined();
    await storage.close();
  });

  it("never land inside another caller's open transaction: they wait for its end and outlive its rollback", async () => {
    const storage = openStorage({ dialect: 'sqlite', path: `${dir.path}/g.db` });
    await migrateToLatest(storage.db);
    const repo = activityLogRepo(storage.db);
    const row = execution(newLogId());
    let written: Promise<void> | undefined;
    await writeTransaction(storage.db, async (trx) => {
      await trx.insertInto('installation').values({ id: 'rolled-back', created_at: 1 }).execute();
      written = repo.insertExecutions([row]);
      await new Promise((resolve) => setTimeout(resolve, 20));
      throw new Error('roll back');
    }).catch((error: Error) => expect(error.message).toBe('roll back'));
    await written;
    expect(await repo.findExecution(row.id)).toEqual(row);
    expect(await storage.db.selectFrom('installation').select('id').where('id', '=', 'rolled-back').execute()).toEqual([]);
    await storage.close();
  });
});

describe('log ids', () => {
  it('sort in the order they were made, across milliseconds, and stay unique within one', () => {
    const times = [0, 1, 9, 10, 35, 36, 61, 62, 3_843, 1_764_000_000_000, 1_764_000_000_001, 99_999_999_999_999];
    const ids = times.map((time) => newLogId(time));
    expect([...ids].sort()).toEqual(ids);
    for (const id of ids) expect(id).toMatch(/^log_[0-9A-Za-z]{20}$/);
    const sameMillisecond = new Set(Array.from({ length: 1000 }, () => newLogId(5)));
    expect(sameMillisecond.size).toBe(1000);
  });
});
