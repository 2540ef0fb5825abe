import { sql, type Kysely } from 'kysely';
import { isPostgres } from '../dialect.ts';
import type { Database, SealedColumn } from '../schema.ts';

export interface SealedValueRow {
  id: string;
  value: string;
}

/**
 * Access to sealed columns for key rotation. Table and column names come only from the SEALED declaration,
 * never from input, so building their identifiers here is safe.
 */
export function sealedValuesRepo(db: Kysely<Database>) {
  return {
    /** A page of rows whose value was not sealed under the current key, in id order after `afterId`. */
    async listStale(column: SealedColumn, currentPrefix: string, afterId: string, limit: number): Promise<SealedValueRow[]> {
      const result = await sql<SealedValueRow>`
        select id, ${sql.ref(column.column)} as value from ${sql.table(column.table)}
        where ${sql.ref(column.column)} is not null
          and substr(${sql.ref(column.column)}, 1, ${currentPrefix.length}) <> ${currentPrefix}
          and id > ${afterId}
        order by id limit ${limit}`.execute(db);
      return result.rows;
    },

    /**
     * Compare-and-swap: writes the re-sealed value only if the row still holds the value that was read,
     * so a concurrent write by a live server (already under the new key) is never overwritten.
     */
    async replaceIfUnchanged(column: SealedColumn, id: string, expected: string, replacement: string): Promise<boolean> {
      const result = await sql`
        update ${sql.table(column.table)} set ${sql.ref(column.column)} = ${replacement}
        where id = ${id} and ${sql.ref(column.column)} = ${expected}`.execute(db);
      return Number(result.numAffectedRows ?? 0) > 0;
    },

    /**
     * The oldest and the newest stored value of a column: a cheap sample at any table size. SQLite's
     * rowid is insertion order for free; PostgreSQL has none, so there by creation time (every sealed
     * table has created_at), id breaking ties.
     */
    async samples(column: SealedColumn): Promise<SealedValueRow[]> {
      const order = isPostgres(db) ? (d: string) => sql.raw(`created_at ${d}, id ${d}`) : (d: string) => sql.raw(`rowid ${d}`);
      const pick = (direction: 'asc' | 'desc') =>
        sql<SealedValueRow>`
        select id, ${sql.ref(column.column)} as value from ${sql.table(column.table)}
        where ${sql.ref(column.column)} is not null
        order by ${order(direction)} limit 1`.execute(db);
      const [first, last] = await Promise.all([pick('asc'), pick('desc')]);
      return [...first.rows, ...last.rows.filter((r) => r.id !== first.rows[0]?.id)];
    },

    async countStale(column: SealedColumn, currentPrefix: string): Promise<number> {
      const result = await sql<{ n: number }>`
        select count(*) as n from ${sql.table(column.table)}
        where ${sql.ref(column.column)} is not null
          and substr(${sql.ref(column.column)}, 1, ${currentPrefix.length}) <> ${currentPrefix}`.execute(db);
      return Number(result.rows[0]?.n ?? 0);
    },
  };
}
