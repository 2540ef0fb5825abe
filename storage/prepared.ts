import type { Compilable, CompiledQuery, Kysely } from 'kysely';
import type pg from 'pg';
import { deepFreeze } from './parsed-json-cache.ts';
import { poolOf } from './postgres.ts';
import { sqliteOf } from './sqlite.ts';
import type { Database } from './schema.ts';

type Values = readonly unknown[];

interface Template<R> {
  query: CompiledQuery<R>;
  /** for each parameter of the compiled SQL: the argument it comes from, or -1 for a constant */
  sources: number[];
  /** SQLite: the rows read, by parameters, while nothing has been written since (the SQLite branch of `prepared`) */
  remembered: { generation: number; rows: Map<string, readonly R[]> };
}

/** Most parameter sets a query remembers between two writes (a flood of unknown tokens cannot grow it further). */
const MAX_REMEMBERED = 1000;

// Distinct strings no caller passes as a value: where each lands in the compiled parameters tells which
// parameter carries which argument.
const SENTINEL = '\u0000latchkey-argument-';
const sentinel = (i: number) => `${SENTINEL}${i}\u0000`;

const mapped = new WeakMap<(row: never) => unknown, WeakMap<object, unknown>>();

/**
 * `map` of each row, made once per remembered row: a row `prepared` answers from memory (SQLite,
 * between two writes) is the same frozen object on every call, so what a repo makes of it (parsed
 * JSON columns, the domain object) is too, deep-frozen since every caller shares it. Rows read
 * afresh (PostgreSQL, a row read through Kysely) are mapped on every call, as before.
 */
export function mapRemembered<R extends object, T>(rows: readonly R[], map: (row: R) => T): T[] {
  let byRow = mapped.get(map) as WeakMap<R, T> | undefined;
  if (!byRow) mapped.set(map, (byRow = new WeakMap()) as WeakMap<object, unknown>);
  const kept = byRow;
  return rows.map((row) => {
    if (!Object.isFrozen(row)) return map(row);
    let value = kept.get(row);
    if (value === undefined) kept.set(row, (value = deepFreeze(map(row))));
    return value;
  });
}

const templates = new WeakMap<Kysely<Database>, Map<string, Template<unknown>>>();

/**
 * A query built and compiled by Kysely once per process, then run with new argument values: the SQL
 * text is the same each time (so the driver's statement cache hits too), and the per-call cost of
 * building and compiling the query tree is gone. For the hot path only (a tool call's lookups); the
 * query's shape must not depend on the argument values, which must all be scalars.
 */
export function prepared<A extends Values, R>(
  db: Kysely<Database>,
  name: string,
  build: (...args: A) => Compilable<R>,
): (...args: A) => Promise<R[]> {
  let byName = templates.get(db);
  if (!byName) templates.set(db, (byName = new Map()));
  let template = byName.get(name) as Template<R> | undefined;
  if (!template) {
    const query = build(...(Array.from({ length: build.length }, (_, i) => sentinel(i)) as unknown as A)).compile();
    const sources = query.parameters.map((p) =>
      typeof p === 'string' && p.startsWith(SENTINEL) ? Number(p.slice(SENTINEL.length, -1)) : -1,
    );
    for (let i = 0; i < build.length; i++)
      if (!sources.includes(i)) throw new Error(`prepared query ${name}: argument ${i} is not a parameter`);
    template = { query, sources, remembered: { generation: -1, rows: new Map() } };
    byName.set(name, template as Template<unknown>);
  }
  const { query, sources, remembered } = template;
  const pool = poolOf(db);
  if (pool) {
    // PostgreSQL: a named statement (extended protocol), parsed and planned once per connection
    // instead of on every call; `pg` keeps track of which connection has prepared which name.
    const statement = { name: `lk_${name}`, text: query.sql };
    return async (...args) => {
      const values = sources.map((source, i) => (source === -1 ? query.parameters[i] : args[source]));
      return (await pool.query<R & pg.QueryResultRow>({ ...statement, values })).rows;
    };
  }
  const handle = sqliteOf(db);
  return async (...args) => {
    const parameters = sources.map((source, i) => (source === -1 ? query.parameters[i] : args[source]));
    // SQLite: straight to the cached statement, without Kysely's driver round (a connection mutex and
    // a result object per query: more than the indexed read itself, profiled by `npm run bench`). The
    // one connection may be inside a transaction another caller holds across awaits (writeTransaction);
    // a read now would see its uncommitted rows, so then the query waits its turn through Kysely.
    if (handle && !handle.sqlite.inTransaction) {
      // Between two writes the same read answers the same rows: they are kept until the database's
      // generation moves (any insert, update or delete on this connection, any commit by another
      // process on the file), so a revoked token or a disabled account is never served from memory.
      // The rows are frozen: every caller shares them.
      const generation = handle.generation();
      if (remembered.generation !== generation || remembered.rows.size >= MAX_REMEMBERED) {
        remembered.generation = generation;
        remembered.rows.clear();
      }
      const key = JSON.stringify(parameters);
      const known = remembered.rows.get(key);
      if (known) return known as R[];
      const statement = handle.prepare(query.sql);
      if (statement.reader) {
        const rows = Object.freeze((statement.all(parameters) as R[]).map((row) => Object.freeze(row)));
        remembered.rows.set(key, rows);
        return rows as R[];
      }
    }
    const result = await db.executeQuery<R>({ ...query, parameters });
    return result.rows;
  };
}
