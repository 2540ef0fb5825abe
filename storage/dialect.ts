import { PostgresAdapter, type Kysely } from 'kysely';

/**
 * Whether a Kysely instance talks to PostgreSQL (else SQLite): for the few statements the two engines
 * spell differently (migrations use it too, so it must keep meaning exactly this).
 */
export function isPostgres(db: Kysely<any>): boolean {
  return db.getExecutor().adapter instanceof PostgresAdapter;
}
