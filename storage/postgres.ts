import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import type { Database } from './schema.ts';

const INT8_OID = 20;

/**
 * `pg` returns int8 (bigint: epoch-millisecond columns, `count(*)`) as strings, since not every int8
 * fits a JavaScript number. Every int8 latchkey stores is a time or a sequence number well inside
 * 2^53, so it comes back as a number, and one that does not fit fails loudly rather than rounding.
 */
export function parseInt8(text: string): number {
  const value = Number(text);
  if (!Number.isSafeInteger(value)) throw new RangeError(`int8 value ${text} is beyond JavaScript's safe integers`);
  return value;
}

const types = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === INT8_OID && format !== 'binary' ? parseInt8 : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
};

/** A query that runs longer than this is cancelled by the server, so a stuck lock cannot hold a request forever. */
const STATEMENT_TIMEOUT_MS = 15_000;
/** How long to wait for a connection, so a server that is down fails a request instead of hanging it. */
const CONNECT_TIMEOUT_MS = 5_000;

/** The pool behind each PostgreSQL Kysely instance, for the hot path's named statements (prepared.ts). */
const pools = new WeakMap<Kysely<Database>, pg.Pool>();
export const poolOf = (db: Kysely<Database>): pg.Pool | undefined => pools.get(db);

/**
 * A PostgreSQL pool behind Kysely's PostgresDialect. When the server restarts or drops a connection,
 * the pool reports the idle client's error on itself; without a listener Node treats that as an
 * unhandled `error` event and ends the process. With one, the broken client is discarded and the next
 * query opens a new connection. The same holds for a client in use when its connection drops (below).
 */
export function openPostgres(url: string, onIdleError: (error: Error) => void): { db: Kysely<Database>; pool: pg.Pool } {
  const pool = new pg.Pool({
    connectionString: url,
    types,
    statement_timeout: STATEMENT_TIMEOUT_MS,
    connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
    application_name: 'latchkey',
  });
  pool.on('error', onIdleError);
  // The pool listens only while a client is idle. A client checked out between two statements (inside a
  // transaction, say) that the server ends emits `error` with nobody listening, which would end the
  // process too. Its user learns of it anyway (the next statement fails) and the pool then discards it
  // (pg-pool drops a client that is no longer queryable when it is released): nothing more to do here.
  pool.on('connect', (client) => client.on('error', () => {}));
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  pools.set(db, pool);
  return { db, pool };
}
