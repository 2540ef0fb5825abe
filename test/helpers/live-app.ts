import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { buildDeps, type Built } from '../../src/bootstrap.ts';
import { parseConfig } from '../../src/config.ts';
import { createLogger } from '../../src/log.ts';
import { startServer, type RunningServer } from '../../src/server.ts';
import { freePort } from './free-port.ts';
import { captureLogs } from './logs.ts';
import { makeTempDir } from './temp-dir.ts';
import { testDatabaseEnv } from './test-database.ts';

/** A clock tests can move forward. */
export class TestClock {
  offset = 0;
  now = () => Date.now() + this.offset;
  advance(ms: number) {
    this.offset += ms;
  }
}

export { freePort };

export interface LiveApp extends Built {
  url: string;
  apiKey: string;
  clock: TestClock;
  logs: string[];
  api(path: string, init?: { method?: string; body?: unknown; headers?: Record<string, string> }): Promise<{ status: number; body: any }>;
  close(): Promise<void>;
}

/**
 * latchkey listening on a real loopback port, with a real SQLite file, operator toolkits written to a
 * temp folder, and a movable clock. `port` may be reserved ahead so an OAuth server can know our
 * callback URL before we start. `fetch` replaces the outbound client (tests route public hosts to loopback).
 */
export async function startLiveApp(
  options: { port?: number; toolkits?: object[]; env?: Record<string, string>; fetch?: typeof fetch } = {},
): Promise<LiveApp> {
  const dir = makeTempDir();
  const port = options.port ?? (await freePort());
  const toolkitsDir = `${dir.path}/toolkits`;
  mkdirSync(toolkitsDir);
  for (const toolkit of options.toolkits ?? [])
    writeFileSync(`${toolkitsDir}/${(toolkit as { slug: string }).slug}.json`, JSON.stringify(toolkit));
  const apiKey = `ak_live${randomBytes(16).toString('hex')}`;
  const database = await testDatabaseEnv(options.env);
  const config = parseConfig({
    ...database.env,
    PORT: String(port),
    LATCHKEY_PUBLIC_URL: `http://127.0.0.1:${port}`,
    LATCHKEY_DATA_DIR: `${dir.path}/data`,
    LATCHKEY_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
    LATCHKEY_API_KEY: apiKey,
    LATCHKEY_TOOLKITS_DIR: toolkitsDir,
    LATCHKEY_ALLOW_INSECURE_LOOPBACK: 'true',
    LATCHKEY_LOG_LEVEL: 'info',
    ...options.env,
  });
  const { lines: logs, sink } = captureLogs();
  const clock = new TestClock();
  const built = await buildDeps(config, createLogger(config.logLevel, sink), { clock, fetch: options.fetch });
  const server: RunningServer = await startServer(built);
  const url = `http://127.0.0.1:${server.port}`;
  return {
    ...built,
    url,
    apiKey,
    clock,
    logs,
    api: async (path, init = {}) => {
      const res = await fetch(`${url}${path}`, {
        method: init.method ?? (init.body === undefined ? 'GET' : 'POST'),
        headers: { 'x-api-key': apiKey, 'content-type': 'application/json', ...init.headers },
        body: init.body === undefined ? undefined : JSON.stringify(init.body),
      });
      const text = await res.text();
      let body: unknown = text;
      try {
        body = JSON.parse(text);
      } catch {
        // not JSON
      }
      return { status: res.status, body };
    },
    close: async () => {
      await server.shutdown();
      await database.drop();
      dir.cleanup();
    },
  };
}
