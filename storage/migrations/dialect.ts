import { PostgresAdapter, type Kysely } from 'kysely';

/**
 * Whether a Kysely instance talks to PostgreSQL (else SQLite). Lives with the migrations, which use it
 * to guard the few statements the two engines spell differently, so it is frozen in time with them.
 */
export function isPostgres(db: Kysely<any>): boolean {
  return db.getExecutor().adapter instanceof PostgresAdapter;
}
