import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import type { Config } from '../../src/config.ts';
import { POSTGRES_BIN } from './postgres.ts';

/**
 * Everything the database holds, as bytes to scan for secrets in clear: the SQLite file and its WAL,
 * or a dump of the PostgreSQL database (every row, as the server hands them out).
 */
export function databaseContents(config: Config): Buffer[] {
  if (config.database.dialect === 'sqlite') {
    const { path } = config.database;
    return [path, `${path}-wal`].filter((f) => existsSync(f)).map((f) => readFileSync(f));
  }
  return [execFileSync(`${POSTGRES_BIN}/pg_dump`, ['--no-owner', config.database.url], { maxBuffer: 256 * 1024 * 1024 })];
}
