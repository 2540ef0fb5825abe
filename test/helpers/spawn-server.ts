import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { ensureTestDatabase, testBackend, testDatabaseUrlFor } from './test-database.ts';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
/**
 * `node --import <tsx loader> file.ts`: one process, so a signal (SIGKILL included) reaches the server
 * itself; the `tsx` CLI would run it as a child that outlives a killed parent.
 */
const NODE_ARGS = ['--import', pathToFileURL(`${ROOT}node_modules/tsx/dist/loader.mjs`).href];

/**
 * What a latchkey process on loopback needs: its public URL, a fresh encryption key, the project key,
 * and data and toolkits under `dir` (with LATCHKEY_TEST_BACKEND=postgres, the database of `dir` on the
 * test cluster). PORT is the caller's (processes sharing a database differ in it).
 */
export function serverEnv(dir: string, publicPort: number, apiKey: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    LATCHKEY_PUBLIC_URL: `http://127.0.0.1:${publicPort}`,
    LATCHKEY_DATA_DIR: `${dir}/data`,
    LATCHKEY_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
    LATCHKEY_API_KEY: apiKey,
    LATCHKEY_TOOLKITS_DIR: `${dir}/toolkits`,
    LATCHKEY_ALLOW_INSECURE_LOOPBACK: 'true',
    ...(testBackend === 'postgres' ? { LATCHKEY_DATABASE_URL: testDatabaseUrlFor(`${dir}/data`) } : {}),
    ...extra,
  };
}

export interface SpawnedServer {
  child: ChildProcess;
  url: string;
  stdout: string[];
  stderr: string[];
  /** resolves with the exit code */
  exited: Promise<number | null>;
}

/**
 * Starts `src/main.ts` as its own process (as `npm start` does), with only the given environment
 * plus PATH/HOME, and waits for its "listening" log line (`startMs` at most: several processes starting
 * at once on a busy machine need longer; one that does not make it is killed, not left running).
 */
export async function spawnServer(
  cwd: string,
  env: Record<string, string>,
  script = 'src/main.ts',
  { startMs = 20_000 }: { startMs?: number } = {},
): Promise<SpawnedServer> {
  await ensureTestDatabase(env.LATCHKEY_DATABASE_URL);
  const child = spawn(process.execPath, [...NODE_ARGS, `${ROOT}${script}`], {
    cwd,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? cwd, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const stdout: string[] = [];
  const stderr: string[] = [];
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`server did not start:\n${stderr.join('')}`));
    }, startMs);
    child.stderr!.on('data', (d) => stderr.push(String(d)));
    child.stdout!.on('data', (d) => {
      for (const line of String(d).split('\n').filter(Boolean)) {
        stdout.push(line);
        try {
          const entry = JSON.parse(line);
          if (entry.msg === 'latchkey listening') {
            clearTimeout(timer);
            resolve({ child, url: entry.url, stdout, stderr, exited });
          }
        } catch {
          // not a log line
        }
      }
    });
    exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code} before listening:\n${stderr.join('')}`));
    });
  });
}

/** A REST call to a spawned server with a project key; GET without a body, POST with one. */
export async function callServer(server: SpawnedServer, apiKey: string, path: string, body?: unknown): Promise<any> {
  const res = await fetch(`${server.url}${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { 'x-api-key': apiKey, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return res.json();
}

/** Runs `src/main.ts` (or an operator script, with its arguments) to its exit; returns its exit code and stderr. */
export async function runToExit(
  cwd: string,
  env: Record<string, string>,
  script = 'src/main.ts',
  args: string[] = [],
  as: { uid?: number; gid?: number } = {},
): Promise<{ code: number | null; stderr: string }> {
  await ensureTestDatabase(env.LATCHKEY_DATABASE_URL);
  const child = spawn(process.execPath, [...NODE_ARGS, `${ROOT}${script}`, ...args], {
    cwd,
    env: { PATH: process.env.PATH ?? '', HOME: cwd, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    ...as,
  });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += String(d)));
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  return { code, stderr };
}
