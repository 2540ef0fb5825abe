import { PostgresAdapter, sql, type Expression, type Kysely } from 'kysely';

/**
 * Whether a Kysely instance talks to PostgreSQL (else SQLite): for the few statements the two engines
 * spell differently (migrations use it too, so it must keep meaning exactly this).
 */
export function isPostgres(db: Kysely<any>): boolean {
  return db.getExecutor().adapter instanceof PostgresAdapter;
}

/**
 * "Now plus `offsetMs`" in epoch milliseconds, for deciding who holds a lease or a claim. On PostgreSQL
 * the database's clock, read by the statement itself: every process of a deployment compares against
 * one clock, so skew between machines cannot let two of them hold the same thing. On SQLite (one
 * machine by construction) the app's `now`, as a plain parameter, so tests' clocks keep working.
 */
export function leaseTime(db: Kysely<any>, now: number, offsetMs = 0): Expression<number> {
  if (!isPostgres(db)) return sql.val(now + offsetMs);
  // clock_timestamp(), not now(): now() is frozen at the start of the transaction
  return sql<number>`((extract(epoch from clock_timestamp()) * 1000)::bigint + ${sql.lit(offsetMs)})`;
}
