import { spawn, execFileSync } from 'node:child_process';
import { chownSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import pg from 'pg';
import { freePort } from './free-port.ts';

/** Debian's PostgreSQL binaries (package `postgresql`, installed by test/system-packages.ts). */
export const POSTGRES_BIN = '/usr/lib/postgresql/15/bin';

export interface Cluster {
  /** the superuser's URL on the `postgres` database, for creating and dropping test databases */
  adminUrl: string;
  /** a fast shutdown (open sessions are ended) and a start on the same data and port, as `pg_ctl restart -m fast` */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

/** initdb and postgres refuse to run as root: as root they run as the `postgres` OS user, which owns the folder. */
function runAs(): { uid?: number; gid?: number } {
  if (process.getuid?.() !== 0) return {};
  const id = (flag: string) => Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' }).trim());
  return { uid: id('-u'), gid: id('-g') };
}

/**
 * A throwaway PostgreSQL cluster on loopback for one test run: a temp folder, trust authentication,
 * a free port, the socket in the folder (nothing of the machine's own PostgreSQL is touched) and
 * fsync off (a crash loses the whole folder anyway). Ready in about a second.
 */
export async function startCluster(): Promise<Cluster> {
  const dir = mkdtempSync(join(tmpdir(), 'latchkey-pg-'));
  const user = runAs();
  const data = join(dir, 'data');
  const socket = join(dir, 'socket');
  mkdirSync(socket);
  if (user.uid !== undefined) for (const path of [dir, socket]) chownSync(path, user.uid, user.gid!);
  execFileSync(`${POSTGRES_BIN}/initdb`, ['-D', data, '-A', 'trust', '-U', 'postgres', '-E', 'UTF8', '--no-sync'], {
    ...user,
    stdio: 'ignore',
  });
  const port = await freePort();
  const settings = {
    listen_addresses: '127.0.0.1',
    fsync: 'off',
    synchronous_commit: 'off',
    full_page_writes: 'off',
    max_connections: '400',
  };
  const args = ['-D', data, '-p', String(port), '-k', socket, ...Object.entries(settings).flatMap(([k, v]) => ['-c', `${k}=${v}`])];
  const adminUrl = `postgres://postgres@127.0.0.1:${port}/postgres`;
  let log = '';
  const start = () => {
    const server = spawn(`${POSTGRES_BIN}/postgres`, args, { ...user, stdio: ['ignore', 'ignore', 'pipe'] });
    server.stderr.on('data', (d) => (log += String(d)));
    const exited = new Promise<void>((resolve) => server.on('exit', () => resolve()));
    return async () => {
      server.kill('SIGINT'); // fast shutdown: open sessions are ended
      await exited;
    };
  };
  let shutdown = start();
  const stop = async () => {
    await shutdown();
    rmSync(dir, { recursive: true, force: true });
  };
  const restart = async () => {
    await shutdown();
    shutdown = start();
    await waitReady(adminUrl, () => log);
  };
  try {
    await waitReady(adminUrl, () => log);
  } catch (error) {
    await stop();
    throw error;
  }
  return { adminUrl, restart, stop };
}

async function waitReady(url: string, log: () => string): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const client = new pg.Client({ connectionString: url });
    try {
      await client.connect();
      await client.end();
      return;
    } catch (error) {
      await client.end().catch(() => {});
      if (Date.now() > deadline) throw new Error(`the test PostgreSQL cluster did not start: ${(error as Error).message}\n${log()}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

declare module 'vitest' {
  export interface ProvidedContext {
    /** the test cluster's admin URL (test/helpers/test-database.ts makes a database per app from it) */
    postgresAdminUrl: string;
  }
}

/** vitest globalSetup: one cluster for the whole run, stopped at its end. */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const cluster = await startCluster();
  project.provide('postgresAdminUrl', cluster.adminUrl);
  return cluster.stop;
}
