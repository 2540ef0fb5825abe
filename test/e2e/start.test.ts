import { chmodSync, existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { startFakeUpstream } from '../helpers/fake-upstream.ts';
import { callServer, runToExit, spawnServer } from '../helpers/spawn-server.ts';
import { makeTempDir } from '../helpers/temp-dir.ts';

const dir = makeTempDir();
afterAll(() => dir.cleanup());

describe('starting with zero setup', () => {
  it('creates its data directory, database and key, serves /health, prints the first API key once, stops on SIGTERM', async () => {
    const cwd = `${dir.path}/fresh`;
    mkdirSync(cwd);
    const server = await spawnServer(cwd, { PORT: '0' });
    const health = await fetch(`${server.url}/health`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ status: 'ok' });
    expect(existsSync(`${cwd}/.latchkey/latchkey.db`)).toBe(true);
    expect(statSync(`${cwd}/.latchkey/master.key`).mode & 0o777).toBe(0o600);
    const printed = server.stderr.join('').match(/ak_[A-Za-z0-9]{32}/)?.[0];
    expect(printed).toBeDefined();
    expect(server.stdout.join('\n')).not.toContain(printed!);
    expect(server.stdout.some((l) => l.includes('LATCHKEY_ENCRYPTION_KEY is not set'))).toBe(true);
    const authed = await fetch(`${server.url}/api/v3/none`, { headers: { 'x-api-key': printed! } });
    expect(authed.status).toBe(404);
    // PORT=0: the default public URL names the port the server got, not :0
    const { port } = new URL(server.url);
    const session = await callServer(server, printed!, '/api/v3.1/tool_router/session', { user_id: 'u1' });
    // (with LATCHKEY_PUBLIC_URL unset an MCP URL is on the loopback origin the request used)
    expect(session.mcp.url).toBe(`${server.url}/tool_router/${session.session_id}/mcp`);
    expect(server.stdout.find((l) => l.includes('latchkey listening'))).toContain(`"public_url":"http://localhost:${port}"`);

    server.child.kill('SIGTERM');
    expect(await server.exited).toBe(0);
    // a clean close checkpoints and removes the WAL
    expect(existsSync(`${cwd}/.latchkey/latchkey.db-wal`)).toBe(false);

    // a second start keeps the same key and database and creates no new API key
    const again = await spawnServer(cwd, { PORT: '0' });
    expect(again.stderr.join('')).not.toMatch(/ak_/);
    expect((await fetch(`${again.url}/api/v3/none`, { headers: { 'x-api-key': printed! } })).status).toBe(404);
    again.child.kill('SIGTERM');
    expect(await again.exited).toBe(0);
  });

  it('finishes an in-flight request on SIGTERM before exiting', async () => {
    const upstream = await startFakeUpstream();
    upstream.on('/slow', (_req, res) => void setTimeout(() => res.end('{"done":true}'), 1500));
    const toolkits = `${dir.path}/slow-toolkits`;
    mkdirSync(toolkits);
    writeFileSync(
      `${toolkits}/slowapi.json`,
      JSON.stringify({
        slug: 'slowapi',
        name: 'Slow API',
        description: 'answers slowly',
        base_url: upstream.url,
        auth_schemes: [{ mode: 'NO_AUTH' }],
        tools: [
          {
            slug: 'SLOWAPI_WAIT',
            name: 'wait',
            description: 'Waits a while and answers, for the shutdown test.',
            tags: ['readOnlyHint'],
            input_parameters: { type: 'object', properties: {} },
            request: { method: 'GET', path: '/slow' },
            source: { docs: 'https://docs.example.com/api' },
          },
        ],
      }),
    );
    const apiKey = `ak_${randomBytes(16).toString('hex')}`;
    // the operator's API on loopback: a private address, which the operator allows
    const server = await spawnServer(dir.path, {
      PORT: '0',
      LATCHKEY_DATA_DIR: `${dir.path}/d3`,
      LATCHKEY_TOOLKITS_DIR: toolkits,
      LATCHKEY_API_KEY: apiKey,
      LATCHKEY_ALLOW_PRIVATE_NETWORK: 'true',
    });
    const inFlight = fetch(`${server.url}/api/v3/tools/execute/SLOWAPI_WAIT`, {
      method: 'POST',
      headers: { 'x-api-key': apiKey, 'content-type': 'application/json' },
      body: '{}',
    });
    await new Promise((r) => setTimeout(r, 400));
    server.child.kill('SIGTERM');
    const res = await inFlight;
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ successful: true, data: { done: true } });
    expect(await server.exited).toBe(0);
    await upstream.close();
  });

  it('refuses to start with a bad configuration, naming every bad variable', async () => {
    const { code, stderr } = await runToExit(dir.path, { PORT: 'x', LATCHKEY_ENCRYPTION_KEY: randomBytes(16).toString('base64') });
    expect(code).toBe(1);
    expect(stderr).toMatch(/PORT/);
    expect(stderr).toMatch(/LATCHKEY_ENCRYPTION_KEY: key 1 decodes to 16 bytes/);
  });

  it('refuses a verifier URL that is not https (http only to loopback when insecure loopback is allowed), in one line', async () => {
    const data = { LATCHKEY_DATA_DIR: `${dir.path}/verifier` };
    expectOneLine(
      await runToExit(dir.path, { ...data, LATCHKEY_USER_VERIFIER_URL: 'http://app.example.com/verify' }),
      /^latchkey cannot start: invalid configuration: LATCHKEY_USER_VERIFIER_URL: must be https/,
    );
    expectOneLine(
      await runToExit(dir.path, { ...data, LATCHKEY_USER_VERIFIER_URL: 'http://127.0.0.1:9/verify' }),
      /LATCHKEY_USER_VERIFIER_URL: must be https \(http only to loopback with LATCHKEY_ALLOW_INSECURE_LOOPBACK=true\)/,
    );
  }, 60_000);

  it('refuses to start on a malformed operator toolkit, pointing at the mistake', async () => {
    const toolkits = `${dir.path}/toolkits`;
    mkdirSync(toolkits);
    writeFileSync(
      `${toolkits}/broken.json`,
      JSON.stringify({
        slug: 'broken',
        name: 'Broken',
        description: 'x',
        base_url: 'http://127.0.0.1:1',
        auth_schemes: [{ mode: 'NO_AUTH' }],
        tools: [
          {
            slug: 'BROKEN_X',
            name: 'x',
            description: 'short',
            input_parameters: { type: 'object' },
            request: { method: 'FETCH', path: '/x' },
            source: { docs: 'https://docs.example.com/api' },
          },
        ],
      }),
    );
    const { code, stderr } = await runToExit(dir.path, { LATCHKEY_TOOLKITS_DIR: toolkits, LATCHKEY_DATA_DIR: `${dir.path}/d2` });
    expect(code).toBe(1);
    expect(stderr).toContain('broken.json');
    expect(stderr).toMatch(/tools\[0\] \(BROKEN_X\)\.request\.method/);
    expect(stderr).toMatch(/tools\[0\] \(BROKEN_X\)\.description/);
  });
});

/** An operator mistake at start-up: exactly one line on stderr, no stack trace, exit code 1. */
function expectOneLine(result: { code: number | null; stderr: string }, pattern: RegExp) {
  expect(result.code, result.stderr).toBe(1);
  const lines = result.stderr.trim().split('\n');
  expect(lines, result.stderr).toHaveLength(1);
  expect(lines[0]).toMatch(pattern);
  expect(result.stderr).not.toMatch(/^\s+at /m);
}

describe('a start-up the operator got wrong', () => {
  it('refuses a key that does not open the stored secrets, naming the ids and the ring that fixes it', async () => {
    const data = `${dir.path}/rekeyed`;
    const oldKey = randomBytes(32).toString('base64');
    const newKey = randomBytes(32).toString('base64');
    const apiKey = `ak_${randomBytes(16).toString('hex')}`;
    const env = { PORT: '0', LATCHKEY_DATA_DIR: data, LATCHKEY_API_KEY: apiKey };
    const storeSecret = async (extra: Record<string, string>) => {
      const first = await spawnServer(dir.path, { ...env, ...extra });
      const created = await callServer(first, apiKey, '/api/v3.1/tool_router/session', { user_id: 'u1' });
      expect(created.session_id).toMatch(/^trs_/);
      first.child.kill('SIGTERM');
      expect(await first.exited).toBe(0);
      return created;
    };
    const session = await storeSecret({ LATCHKEY_ENCRYPTION_KEY: oldKey });

    const changed = await runToExit(dir.path, { ...env, LATCHKEY_ENCRYPTION_KEY: newKey });
    expectOneLine(
      changed,
      /secrets sealed under key id k[0-9a-f]{8}, which LATCHKEY_ENCRYPTION_KEY \(key id k[0-9a-f]{8}\) does not have.*LATCHKEY_ENCRYPTION_KEY=<new key>,<old key k[0-9a-f]{8}>/,
    );
    expect(changed.stderr).not.toContain(oldKey);
    expect(changed.stderr).not.toContain(newKey);
    // a key given an id, then replaced under the same id, is told apart
    const named = { LATCHKEY_DATA_DIR: `${dir.path}/rekeyed-named` };
    await storeSecret({ ...named, LATCHKEY_ENCRYPTION_KEY: `main:${oldKey}` });
    expectOneLine(
      await runToExit(dir.path, { ...env, ...named, LATCHKEY_ENCRYPTION_KEY: `main:${newKey}` }),
      /key id main in LATCHKEY_ENCRYPTION_KEY does not open the secrets stored under that id/,
    );
    expectOneLine(
      await runToExit(dir.path, { ...env, ...named, LATCHKEY_ENCRYPTION_KEY: `next:${newKey}` }),
      /LATCHKEY_ENCRYPTION_KEY=next:<new key>,main:<old key main>/,
    );
    // the ring the message suggests starts, and the stored session still opens
    const fixed = await spawnServer(dir.path, { ...env, LATCHKEY_ENCRYPTION_KEY: `${newKey},${oldKey}` });
    const got = await callServer(fixed, apiKey, `/api/v3.1/tool_router/session/${session.session_id}`);
    expect(got.mcp.headers['x-session-token']).toBe(session.mcp.headers['x-session-token']);
    fixed.child.kill('SIGTERM');
    expect(await fixed.exited).toBe(0);
  }, 120_000);

  it('names the path or port it cannot use in one line: a file in the data path, /proc, a directory as the database, a port in use', async () => {
    writeFileSync(`${dir.path}/a-file`, 'x');
    expectOneLine(
      await runToExit(dir.path, { PORT: '0', LATCHKEY_DATA_DIR: `${dir.path}/a-file/data` }),
      new RegExp(`cannot create the directory ${dir.path}/a-file/data: a part of the path is a file`),
    );
    expectOneLine(
      await runToExit(dir.path, { PORT: '0', LATCHKEY_DATA_DIR: `${dir.path}/a-file` }),
      new RegExp(`cannot use ${dir.path}/a-file as a directory`),
    );
    // Node's recursive mkdir spins forever here; this must end, with the path named
    expectOneLine(
      await runToExit(dir.path, { PORT: '0', LATCHKEY_DATA_DIR: '/proc/latchkey-data' }),
      /cannot create the directory \/proc\/latchkey-data: /,
    );
    mkdirSync(`${dir.path}/db-is-a-dir`);
    expectOneLine(
      await runToExit(dir.path, { PORT: '0', LATCHKEY_DATA_DIR: `${dir.path}/d5`, LATCHKEY_DATABASE_URL: `file:${dir.path}/db-is-a-dir` }),
      new RegExp(`cannot open the database ${dir.path}/db-is-a-dir: `),
    );

    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const { port } = taken.address() as AddressInfo;
    const data = `${dir.path}/port-taken`;
    const busy = await runToExit(dir.path, { PORT: String(port), LATCHKEY_DATA_DIR: data });
    await new Promise((resolve) => taken.close(resolve));
    expectOneLine(busy, new RegExp(`cannot listen on 127\\.0\\.0\\.1:${port}: the port is in use`));
    expect(busy.stderr).not.toMatch(/ak_/);
    // no key was stored that nobody saw: the next start creates and prints the first one
    const next = await spawnServer(dir.path, { PORT: '0', LATCHKEY_DATA_DIR: data });
    expect(next.stderr.join('')).toMatch(/ak_[A-Za-z0-9]{32}/);
    next.child.kill('SIGTERM');
    expect(await next.exited).toBe(0);
  }, 120_000);

  // permissions mean nothing to root: the server runs as nobody here, which only root can arrange
  it.runIf(process.getuid?.() === 0)(
    'names a data directory or key file it may not use (EACCES) in one line',
    async () => {
      const nobody = { uid: 65534, gid: 65534 };
      chmodSync(dir.path, 0o755);
      mkdirSync(`${dir.path}/root-only`, { mode: 0o700 });
      expectOneLine(
        await runToExit(dir.path, { PORT: '0', LATCHKEY_DATA_DIR: `${dir.path}/root-only/data` }, 'src/main.ts', [], nobody),
        new RegExp(`cannot create the directory ${dir.path}/root-only/data: permission denied`),
      );
      mkdirSync(`${dir.path}/root-key`, { mode: 0o755 });
      writeFileSync(`${dir.path}/root-key/master.key`, `${randomBytes(32).toString('base64')}\n`, { mode: 0o600 });
      expectOneLine(
        await runToExit(dir.path, { PORT: '0', LATCHKEY_DATA_DIR: `${dir.path}/root-key` }, 'src/main.ts', [], nobody),
        new RegExp(`cannot read or create the key file in ${dir.path}/root-key: permission denied`),
      );
    },
    60_000,
  );

  it('names a PostgreSQL server it cannot reach in one line, its password masked', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const { port } = closed.address() as AddressInfo;
    await new Promise((resolve) => closed.close(resolve));
    const result = await runToExit(dir.path, {
      PORT: '0',
      LATCHKEY_DATA_DIR: `${dir.path}/pg-down`,
      LATCHKEY_DATABASE_URL: `postgres://latchkey:secret-pw@127.0.0.1:${port}/latchkey`,
    });
    expectOneLine(
      result,
      new RegExp(`cannot open the database postgres://latchkey:\\*\\*\\*@127\\.0\\.0\\.1:${port}/latchkey: .*ECONNREFUSED`),
    );
    expect(result.stderr).not.toContain('secret-pw');
  });

  it('admin scripts refuse a data directory with no database, except migrate, which creates it', async () => {
    const missing = `${dir.path}/typo-data`;
    const env = { LATCHKEY_DATA_DIR: missing, LATCHKEY_ENCRYPTION_KEY: randomBytes(32).toString('base64') };
    expectOneLine(await runToExit(dir.path, env, 'scripts/api-keys.ts', ['list']), new RegExp(`no database at ${missing}/latchkey.db`));
    expectOneLine(await runToExit(dir.path, env, 'scripts/rotate-keys.ts'), new RegExp(`no database at ${missing}/latchkey.db`));
    expect(existsSync(missing)).toBe(false);
    expect((await runToExit(dir.path, env, 'scripts/migrate.ts')).code).toBe(0);
    expect(existsSync(`${missing}/latchkey.db`)).toBe(true);
    expect((await runToExit(dir.path, env, 'scripts/api-keys.ts', ['list'])).code).toBe(0);
  }, 120_000);
});
