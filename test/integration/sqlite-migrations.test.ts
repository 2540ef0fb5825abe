import { readFileSync } from 'node:fs';
import BetterSqlite3 from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { migrateToLatest, openStorage } from '../../storage/db.ts';
import { insertOutboxEvents } from '../helpers/outbox-rows.ts';
import { makeTempDir } from '../helpers/temp-dir.ts';

// The migrations are written once for both engines (times as bigint, the outbox order by dialect); on
// SQLite an existing database must stay as it is and a new one must behave the same.
const dir = makeTempDir();
afterAll(() => dir.cleanup());

const EXISTING_SCHEMA = readFileSync(new URL('../fixtures/sqlite-schema-2026-12-01.sql', import.meta.url), 'utf8');

/** The migrations written after the fixture was taken: only these run on it. */
const AFTER_FIXTURE = ['2026-12-02-activity-log', '2026-12-02-console-sessions', '2026-12-03-mcp-servers'];

/** Each table and index the fixture has, as SQLite stores it. */
const schemaOf = (sqlite: BetterSqlite3.Database) =>
  sqlite.prepare('select type, name, sql from sqlite_master order by name').all() as Array<{ type: string; name: string; sql: string }>;

function existingDatabase(name: string): string {
  const path = `${dir.path}/${name}`;
  const sqlite = new BetterSqlite3(path);
  sqlite.exec(EXISTING_SCHEMA);
  sqlite.close();
  return path;
}

/** SQLite's column affinity from a declared type (https://www.sqlite.org/datatype3.html, section 3.1). */
function affinity(declared: string): string {
  const type = declared.toUpperCase();
  if (type.includes('INT')) return 'INTEGER';
  if (/CHAR|CLOB|TEXT/.test(type)) return 'TEXT';
  if (type === '' || type.includes('BLOB')) return 'BLOB';
  if (/REAL|FLOA|DOUB/.test(type)) return 'REAL';
  return 'NUMERIC';
}

/**
 * What a database's schema means to SQLite: per table (sqlite_sequence included: AUTOINCREMENT made it)
 * its columns (affinity, not spelling), keys and indexes.
 */
function shape(sqlite: BetterSqlite3.Database) {
  const tables = sqlite.prepare(`select name from sqlite_master where type = 'table' order by name`).all() as Array<{
    name: string;
  }>;
  return tables.map(({ name }) => ({
    name,
    columns: (
      sqlite.pragma(`table_info(${name})`) as Array<{ name: string; type: string; notnull: number; dflt_value: unknown; pk: number }>
    ).map((c) => ({ name: c.name, affinity: affinity(c.type), notnull: c.notnull, dflt_value: c.dflt_value, pk: c.pk })),
    foreignKeys: sqlite.pragma(`foreign_key_list(${name})`),
    indexes: (sqlite.pragma(`index_list(${name})`) as Array<{ name: string; unique: number }>)
      .map((index) => ({ ...index, columns: (sqlite.pragma(`index_info(${index.name})`) as Array<{ name: string }>).map((c) => c.name) }))
      .sort((a, b) => a.name.localeCompare(b.name)),
  }));
}

describe('SQLite migrations', () => {
  it('leave an existing database as it was and keep it working: nothing re-runs, the outbox still numbers its events', async () => {
    const path = existingDatabase('existing.db');
    const before = new BetterSqlite3(path);
    const schemaBefore = schemaOf(before);
    before.close();

    const storage = openStorage({ dialect: 'sqlite', path });
    expect(await migrateToLatest(storage.db)).toEqual(AFTER_FIXTURE);
    expect(await insertOutboxEvents(storage.db, 1_764_000_000_000, ['e1', 'e2'])).toEqual([
      { seq: 1, event_id: 'e1', created_at: 1_764_000_000_000 },
      { seq: 2, event_id: 'e2', created_at: 1_764_000_000_000 },
    ]);
    const names = new Set(schemaBefore.map((entry) => entry.name));
    expect(schemaOf(storage.sqlite!).filter((entry) => names.has(entry.name))).toEqual(schemaBefore);
    await storage.close();
  });

  it('make a new database that SQLite treats exactly as an existing one: same columns and affinities, keys, indexes', async () => {
    // the existing file brought up to date: the later migrations run on both
    const existingPath = existingDatabase('existing-shape.db');
    const upgraded = openStorage({ dialect: 'sqlite', path: existingPath });
    await migrateToLatest(upgraded.db);
    await upgraded.close();
    const existing = new BetterSqlite3(existingPath);
    const storage = openStorage({ dialect: 'sqlite', path: `${dir.path}/new.db` });
    await migrateToLatest(storage.db);
    const fresh = shape(storage.sqlite!);
    expect(fresh.map((t) => t.name)).toEqual(expect.arrayContaining(['webhook_outbox', 'sqlite_sequence']));
    expect(fresh).toEqual(shape(existing));
    // the new file spells times bigint (what PostgreSQL needs); the existing one keeps integer
    expect(storage.sqlite!.prepare(`select sql from sqlite_master where name = 'installation'`).pluck().get()).toMatch(
      /"created_at" bigint/,
    );
    existing.close();
    await storage.close();
  });
});
