import type BetterSqlite3 from 'better-sqlite3';
import { Migrator, sql, type Kysely } from 'kysely';
import { isPostgres } from './dialect.ts';
import { migrationProvider } from './migrations/index.ts';
import { openPostgres } from './postgres.ts';
import type { Database } from './schema.ts';
import { openSqlite } from './sqlite.ts';

/** Where the data lives: a SQLite file (the default), or a PostgreSQL database by its URL. */
export type DatabaseLocation = { dialect: 'sqlite'; path: string } | { dialect: 'postgres'; url: string };

export interface Storage {
  db: Kysely<Database>;
  dialect: DatabaseLocation['dialect'];
  /** SQLite only: the raw handle, for pragmas, checkpoints and tests that inspect the file */
  sqlite?: BetterSqlite3.Database;
  close(): Promise<void>;
}

/**
 * Opens the database: the SQLite file (its directory must exist), or a pool on PostgreSQL. Each
 * engine's set-up lives in its own file; everything above this works on either through Kysely.
 * `onIdleError` hears what a pooled PostgreSQL connection reports while idle (the server restarted).
 */
export function openStorage(location: DatabaseLocation, onIdleError: (error: Error) => void = () => {}): Storage {
  if (location.dialect === 'postgres') {
    const { db } = openPostgres(location.url, onIdleError);
    // Kysely's destroy ends the pool too.
    return { db, dialect: 'postgres', close: () => db.destroy() };
  }
  const { db, sqlite } = openSqlite(location.path);
  // Kysely's destroy closes the better-sqlite3 handle too.
  return { db, dialect: 'sqlite', sqlite, close: () => db.destroy() };
}

/** The advisory lock key of writeTransaction on PostgreSQL (any constant no other lock uses). */
const WRITE_LOCK_ID = 7_325_108_411;

/**
 * A transaction that takes SQLite's write lock as it begins (BEGIN IMMEDIATE), for work that reads and
 * then inserts what it did not find. With a plain BEGIN, two processes can both read "nothing there";
 * the second to write then fails (SQLITE_BUSY) instead of waiting. IMMEDIATE makes the second wait
 * (busy_timeout) and then read the first one's row. Inside one process, Kysely's single-connection
 * mutex already runs such transactions one at a time.
 */
export async function writeTransaction<T>(db: Kysely<Database>, work: (trx: Kysely<Database>) => Promise<T>): Promise<T> {
  const postgres = isPostgres(db);
  return db.connection().execute(async (conn) => {
    await (postgres ? sql`begin` : sql`begin immediate`).execute(conn);
    try {
      // PostgreSQL takes no write lock at BEGIN: a transaction-scoped advisory lock, the same for every
      // writeTransaction, gives the same one-at-a-time across processes (released at commit or rollback).
      if (postgres) await sql`select pg_advisory_xact_lock(${sql.lit(WRITE_LOCK_ID)})`.execute(conn);
      const result = await work(conn);
      await sql`commit`.execute(conn);
      return result;
    } catch (error) {
      await sql`rollback`.execute(conn);
      throw error;
    }
  });
}

export async function migrateToLatest(db: Kysely<Database>): Promise<string[]> {
  const migrator = new Migrator({ db, provider: migrationProvider });
  const { error, results } = await migrator.migrateToLatest();
  if (error) {
    const failed = results?.find((r) => r.status === 'Error')?.migrationName;
    // no migration ran: the database itself could not be reached or locked; its error (and code) as is
    if (!failed) throw error;
    throw new Error(`migration ${failed} failed: ${(error as Error).message}`);
  }
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}

export async function isDatabaseReachable(db: Kysely<Database>): Promise<boolean> {
  try {
    await db.selectFrom('installation').select('id').limit(1).execute();
    return true;
  } catch {
    return false;
  }
}
