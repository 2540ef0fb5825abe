import { closeSync, openSync, readSync } from 'node:fs';
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
  const generation = generationOf(sqlite);
  const statements = withStatementCache(sqlite, generation.close);
  const db = new Kysely<Database>({ dialect: new CachingSqliteDialect({ database: statements }) });
  handles.set(db, { sqlite, prepare: statements.prepare, generation: generation.current, generationSource: generation.source });
  return { db, sqlite };
}

/** The SQLite handle behind a Kysely instance and its statement cache, for the hot path's prepared queries (prepared.ts). */
export interface SqliteHandle {
  sqlite: BetterSqlite3.Database;
  prepare(sql: string): BetterSqlite3.Statement;
  /** changes when anything is written to the database, by this connection or another: what was read before may be stale */
  generation(): number;
  /** where `generation` looks: the WAL's shared header (no statement run), or SQLite's own counters */
  generationSource: 'wal-index' | 'statements';
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

/** A database's generation (below), and the file it keeps open to read it. */
interface Generation {
  current(): number;
  close(): void;
  source: SqliteHandle['generationSource'];
}

/**
 * What tells a remembered read (prepared.ts) that it may be stale: a number that moves with every
 * commit to the file, by this connection or by another process (a CLI, a second server).
 *
 * In WAL mode every commit rewrites the wal-index header at the start of the `-shm` file, the memory
 * all connections to the database share (its change counter, last frame and salts: "The WAL-Index
 * Header", https://www.sqlite.org/walformat.html). Reading its two copies is one `pread` of 96 bytes,
 * with no lock taken and no statement run, so a tool call whose reads are all remembered does not
 * enter SQLite at all; asking SQLite instead (`total_changes()` and `pragma data_version`, each a
 * statement, the second under the WAL read lock) was four statements per call. A read started after
 * any commit anywhere still sees it, so a revoked key stops at once; a header caught mid-update only
 * looks like one more change. Without a `-shm` file to read (an in-memory database, a journal mode
 * other than WAL) SQLite is asked.
 */
function generationOf(sqlite: BetterSqlite3.Database): Generation {
  const shared = walIndexHeader(sqlite);
  let generation = 0;
  if (shared !== undefined) {
    const seen = Buffer.alloc(WAL_INDEX_HEADER_BYTES);
    const now = Buffer.alloc(WAL_INDEX_HEADER_BYTES);
    return {
      source: 'wal-index',
      current() {
        // a short read (never expected while this connection holds the file open) counts as a change:
        // a stale answer must never come from a header that was not read
        if (readSync(shared, now, 0, WAL_INDEX_HEADER_BYTES, 0) < WAL_INDEX_HEADER_BYTES) return (generation += 1);
        if (!now.equals(seen)) {
          now.copy(seen);
          generation += 1;
        }
        return generation;
      },
      close: () => closeSync(shared),
    };
  }
  const changes = sqlite.prepare('select total_changes()').pluck();
  const version = sqlite.prepare('pragma data_version').pluck();
  let seen = '';
  return {
    source: 'statements',
    current() {
      const now = `${changes.get() as number}/${version.get() as number}`;
      if (now !== seen) {
        seen = now;
        generation += 1;
      }
      return generation;
    },
    close: () => undefined,
  };
}

/** Both copies of the wal-index header (48 bytes each) that a writer updates on commit. */
const WAL_INDEX_HEADER_BYTES = 96;

/** The `-shm` file opened for reading, when this connection is in WAL mode on a file. */
function walIndexHeader(sqlite: BetterSqlite3.Database): number | undefined {
  if (sqlite.memory || String(sqlite.pragma('journal_mode', { simple: true })).toLowerCase() !== 'wal') return undefined;
  // a read makes SQLite create and initialise the -shm file if this is the first connection
  sqlite.pragma('data_version', { simple: true });
  try {
    return openSync(`${sqlite.name}-shm`, 'r');
  } catch {
    return undefined;
  }
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
function withStatementCache(sqlite: BetterSqlite3.Database, onClose: () => void) {
  const cache = new Map<string, BetterSqlite3.Statement>();
  return {
    close: () => {
      sqlite.close();
      onClose();
    },
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
