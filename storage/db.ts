import BetterSqlite3 from 'better-sqlite3';
import { Kysely, Migrator, sql, SqliteDialect, SqliteQueryCompiler, type LimitNode, type OffsetNode, type OperationNode } from 'kysely';
import { migrationProvider } from './migrations/index.ts';
import type { Database } from './schema.ts';

export interface Storage {
  db: Kysely<Database>;
  /** the raw handle, for pragmas, checkpoints and tests that inspect the file */
  sqlite: BetterSqlite3.Database;
  close(): Promise<void>;
}

/**
 * Opens (creating if needed) the SQLite file in an existing directory (the caller makes it, and says
 * which path it could not use): WAL so readers never wait on the writer, foreign keys on,
 * a busy timeout so a second process (key rotation, a CLI) waits for a lock instead of failing.
 */
export function openStorage(path: string): Storage {
  const sqlite = new BetterSqlite3(path);
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('busy_timeout = 5000');
  sqlite.pragma('synchronous = NORMAL');
  const db = new Kysely<Database>({ dialect: new CachingSqliteDialect({ database: withStatementCache(sqlite) }) });
  return {
    db,
    sqlite,
    // Kysely's destroy closes the better-sqlite3 handle too.
    close: () => db.destroy(),
  };
}

/** A whole number bound as a parameter, which this compiler writes into the SQL instead. */
function literalInteger(node: OperationNode): number | undefined {
  const value = (node as { kind: string; value?: unknown }).kind === 'ValueNode' ? (node as { value?: unknown }).value : undefined;
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0 ? value : undefined;
}

/**
 * LIMIT and OFFSET numbers go into the SQL text: SQLite (3.4x and later) re-prepares a statement on
 * every execution whose LIMIT is a bound parameter, which made the per-call account lookup cost more
 * than everything else in it (found by profiling `npm run bench`). Only safe integers are inlined.
 */
class InlineLimitCompiler extends SqliteQueryCompiler {
  protected override visitLimit(node: LimitNode): void {
    const n = literalInteger(node.limit);
    if (n === undefined) return super.visitLimit(node);
    this.append(`limit ${n}`);
  }

  protected override visitOffset(node: OffsetNode): void {
    const n = literalInteger(node.offset);
    if (n === undefined) return super.visitOffset(node);
    this.append(`offset ${n}`);
  }
}

class CachingSqliteDialect extends SqliteDialect {
  override createQueryCompiler() {
    return new InlineLimitCompiler();
  }
}

const STATEMENT_CACHE_SIZE = 200;

/**
 * Kysely's SQLite driver prepares every query anew; preparing costs more than running the small
 * indexed queries of a tool call. The same SQL text gets the same prepared statement back (SQLite
 * re-prepares a cached statement by itself if the schema changes). Bounded, oldest out first, because
 * multi-row inserts make SQL texts that may not repeat.
 */
function withStatementCache(sqlite: BetterSqlite3.Database) {
  const cache = new Map<string, BetterSqlite3.Statement>();
  return {
    close: () => sqlite.close(),
    prepare(sql: string) {
      let statement = cache.get(sql);
      if (!statement) {
        statement = sqlite.prepare(sql);
        if (cache.size >= STATEMENT_CACHE_SIZE) cache.delete(cache.keys().next().value!);
        cache.set(sql, statement);
      }
      return statement;
    },
  };
}

/**
 * A transaction that takes SQLite's write lock as it begins (BEGIN IMMEDIATE), for work that reads and
 * then inserts what it did not find. With a plain BEGIN, two processes can both read "nothing there";
 * the second to write then fails (SQLITE_BUSY) instead of waiting. IMMEDIATE makes the second wait
 * (busy_timeout) and then read the first one's row. Inside one process, Kysely's single-connection
 * mutex already runs such transactions one at a time.
 */
export async function writeTransaction<T>(db: Kysely<Database>, work: (trx: Kysely<Database>) => Promise<T>): Promise<T> {
  return db.connection().execute(async (conn) => {
    await sql`begin immediate`.execute(conn);
    try {
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
    const failed = results?.find((r) => r.status === 'Error')?.migrationName ?? 'unknown';
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
