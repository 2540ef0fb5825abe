import { createHash, randomBytes } from 'node:crypto';
import pg from 'pg';
import { inject } from 'vitest';

/**
 * Which engine the tests' apps, storages and spawned servers use: SQLite (the default) or, with
 * LATCHKEY_TEST_BACKEND=postgres, a database of their own on the run's throwaway cluster
 * (test/helpers/postgres.ts).
 */
export const testBackend = backendFrom(process.env.LATCHKEY_TEST_BACKEND);

function backendFrom(value: string | undefined): 'sqlite' | 'postgres' {
  if (value === undefined || value === '' || value === 'sqlite') return 'sqlite';
  if (value === 'postgres') return 'postgres';
  throw new Error(`LATCHKEY_TEST_BACKEND must be sqlite or postgres, not ${value}`);
}

const adminUrl = () => new URL(inject('postgresAdminUrl'));

function databaseUrl(name: string): string {
  const url = adminUrl();
  url.pathname = `/${name}`;
  return url.href;
}

async function asAdmin(statement: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl().href });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}

// 42P04: duplicate_database; 23505: two CREATE DATABASE of one name at once (pg_database's unique index)
const ALREADY_THERE = new Set(['42P04', '23505']);

async function createDatabase(name: string): Promise<void> {
  await asAdmin(`create database "${name}"`).catch((error) => {
    if (!ALREADY_THERE.has((error as { code?: string }).code ?? '')) throw error;
  });
}

/** A new empty database on the test cluster; `drop` ends its connections and removes it. */
export async function createTestDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `lk_${randomBytes(8).toString('hex')}`;
  await createDatabase(name);
  return { url: databaseUrl(name), drop: () => asAdmin(`drop database if exists "${name}" with (force)`) };
}

/**
 * The database of a data directory, for spawned servers: processes given the same directory share it,
 * as they share its SQLite file. Made by `ensureTestDatabase` before a process starts; the cluster
 * goes at the end of the run with all of them.
 */
export function testDatabaseUrlFor(dir: string): string {
  return databaseUrl(`lk_${createHash('sha256').update(dir).digest('hex').slice(0, 24)}`);
}

/** Creates the database a URL names when it is on the test cluster and missing; any other URL is left alone. */
export async function ensureTestDatabase(url: string | undefined): Promise<void> {
  if (testBackend !== 'postgres' || !url?.startsWith('postgres')) return;
  const target = new URL(url);
  if (target.host !== adminUrl().host) return;
  await createDatabase(target.pathname.slice(1));
}

/**
 * The settings a test app adds for its backend, and what to do when it closes (nothing on SQLite). Apps
 * given one LATCHKEY_DATA_DIR share its database, as they would share its SQLite file; the cluster
 * removes that one at the end of the run. Any other app gets a database of its own, dropped on close.
 */
export async function testDatabaseEnv(env: Record<string, string> = {}): Promise<{ env: Record<string, string>; drop(): Promise<void> }> {
  if (testBackend !== 'postgres' || env.LATCHKEY_DATABASE_URL) return { env: {}, drop: async () => {} };
  if (env.LATCHKEY_DATA_DIR) {
    const url = testDatabaseUrlFor(env.LATCHKEY_DATA_DIR);
    await ensureTestDatabase(url);
    return { env: { LATCHKEY_DATABASE_URL: url }, drop: async () => {} };
  }
  const database = await createTestDatabase();
  return { env: { LATCHKEY_DATABASE_URL: database.url }, drop: database.drop };
}
