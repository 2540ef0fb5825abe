import BetterSqlite3 from 'better-sqlite3';
import { Kysely, SqliteDialect, SqliteQueryCompiler, type LimitNode, type OffsetNode, type OperationNode } from 'kysely';
import type { Database } from './schema.ts';

/**
 * Opens (creating if needed) the SQLite file in an existing directory (the caller makes it, and says
 * which path it could not use): WAL so readers never wait on the writer, foreign keys on,
 * a busy timeout so a second process (key rotation, a CLI) waits for a lock instead of failing.
 */
export function openSqlite(path: string): { db: Kysely<Database>; sqlite: BetterSqlite3.Database } {
  const sqlite = new BetterSqlite3(path);
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('busy_timeout = 5000');
  sqlite.pragma('synchronous = NORMAL');
  const statements = withStatementCache(sqlite);
  const db = new Kysely<Database>({ dialect: new CachingSqliteDialect({ database: statements }) });
  handles.set(db, { sqlite, prepare: statements.prepare, generation: generationOf(sqlite) });
  return { db, sqlite };
}

/** The SQLite handle behind a Kysely instance and its statement cache, for the hot path's prepared queries (prepared.ts). */
export interface SqliteHandle {
  sqlite: BetterSqlite3.Database;
  prepare(sql: string): BetterSqlite3.Statement;
  /** changes when anything is written to the database, by this connection or another: what was read before may be stale */
  generation(): string;
}

const handles = new WeakMap<Kysely<Database>, SqliteHandle>();
export const sqliteOf = (db: Kysely<Database>): SqliteHandle | undefined => handles.get(db);

/**
 * Rows inserted on the SQLite connection directly: one single-row statement (compiled by Kysely from
 * the first row, prepared once and kept in the statement cache) run for each row inside one
 * transaction. A multi-row INSERT has a new SQL text for every batch size: each was prepared anew
 * (hundreds of parameters) and pushed the hot path's statements out of the cache. False, and nothing
 * written, when there is no SQLite handle or the connection is inside a transaction another caller
 * holds across awaits (writeTransaction): rows written now would commit or roll back with it, so the
 * caller goes through Kysely, which waits its turn.
 */
export function insertRowsDirect<T extends keyof Database & string>(db: Kysely<Database>, table: T, rows: readonly object[]): boolean {
  const handle = handles.get(db);
  if (!handle || handle.sqlite.inTransaction || rows.length === 0) return false;
  const columns = Object.keys(rows[0]!);
  const { sql } = db
    .insertInto(table)
    .values(rows[0] as never)
    .compile();
  const statement = handle.prepare(sql);
  handle.sqlite.transaction(() => {
    for (const row of rows) statement.run(columns.map((column) => (row as Record<string, unknown>)[column] ?? null));
  })();
  return true;
}

/**
 * What tells a remembered read (prepared.ts) that it may be stale: this connection's writes show in
 * `total_changes()` (rows inserted, updated or deleted; it touches no table), another process's
 * commits (a CLI, a second server on the file) in SQLite's `data_version`. Both are asked on every
 * read, so a read started after any commit anywhere sees it: a revoked key stops at once. Asking
 * `data_version` takes the WAL read lock (a few microseconds), still a fraction of the read it saves.
 */
function generationOf(sqlite: BetterSqlite3.Database): () => string {
  const changes = sqlite.prepare('select total_changes()').pluck();
  const version = sqlite.prepare('pragma data_version').pluck();
  return () => `${changes.get() as number}/${version.get() as number}`;
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
