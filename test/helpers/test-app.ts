import { randomBytes } from 'node:crypto';
import { createApp } from '../../src/app.ts';
import { buildDeps, type Built } from '../../src/bootstrap.ts';
import { parseConfig } from '../../src/config.ts';
import type { Clock } from '../../src/deps.ts';
import { flushExecutionLog } from '../../src/services/execution-log.ts';
import { createLogger } from '../../src/log.ts';
import { captureLogs } from './logs.ts';
import { makeTempDir } from './temp-dir.ts';
import { testDatabaseEnv } from './test-database.ts';

export interface TestApp extends Built {
  app: ReturnType<typeof createApp>;
  apiKey: string;
  dataDir: string;
  /** every log line the app wrote, for checks that no secret reaches the logs */
  logs: string[];
  /** `app.request` with the API key already set */
  call(path: string, init?: RequestInit): Promise<Response>;
  close(): Promise<void>;
}

/**
 * A real app on a real SQLite file in a fresh temp dir (or its own PostgreSQL database with
 * LATCHKEY_TEST_BACKEND=postgres), served in-process through `app.request`.
 * `env` adds or overrides configuration variables.
 */
export async function createTestApp(options: { env?: Record<string, string>; clock?: Clock; fetch?: typeof fetch } = {}): Promise<TestApp> {
  const dir = makeTempDir();
  const apiKey = `ak_test${randomBytes(16).toString('hex')}`;
  const database = await testDatabaseEnv(options.env);
  const config = parseConfig({
    ...database.env,
    LATCHKEY_DATA_DIR: dir.path,
    LATCHKEY_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
    LATCHKEY_API_KEY: apiKey,
    LATCHKEY_LOG_LEVEL: 'debug',
    ...options.env,
  });
  const { lines: logs, sink } = captureLogs();
  const built = await buildDeps(config, createLogger(config.logLevel, sink), { clock: options.clock, fetch: options.fetch });
  const app = createApp(built.deps);
  return {
    ...built,
    app,
    apiKey,
    dataDir: dir.path,
    logs,
    call: (path, init = {}) => {
      const headers = new Headers(init.headers);
      if (!headers.has('x-api-key')) headers.set('x-api-key', apiKey);
      return Promise.resolve(app.request(path, { ...init, headers }));
    },
    close: async () => {
      await flushExecutionLog(built.deps);
      await built.storage.close();
      await database.drop();
      dir.cleanup();
    },
  };
}
