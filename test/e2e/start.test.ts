import { existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { startFakeUpstream } from '../helpers/fake-upstream.ts';
import { runToExit, spawnServer } from '../helpers/spawn-server.ts';
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
        tools: [{ slug: 'SLOWAPI_WAIT', name: 'wait', description: 'Waits a while and answers, for the shutdown test.', input_parameters: { type: 'object', properties: {} }, request: { method: 'GET', path: '/slow' } }],
      }),
    );
    const apiKey = `ak_${randomBytes(16).toString('hex')}`;
    // the operator's API on loopback: a private address, which the operator allows
    const server = await spawnServer(dir.path, { PORT: '0', LATCHKEY_DATA_DIR: `${dir.path}/d3`, LATCHKEY_TOOLKITS_DIR: toolkits, LATCHKEY_API_KEY: apiKey, LATCHKEY_ALLOW_PRIVATE_NETWORK: 'true' });
    const inFlight = fetch(`${server.url}/api/v3/tools/execute/SLOWAPI_WAIT`, { method: 'POST', headers: { 'x-api-key': apiKey, 'content-type': 'application/json' }, body: '{}' });
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

  it('refuses to start on a malformed operator toolkit, pointing at the mistake', async () => {
    const toolkits = `${dir.path}/toolkits`;
    mkdirSync(toolkits);
    writeFileSync(`${toolkits}/broken.json`, JSON.stringify({ slug: 'broken', name: 'Broken', description: 'x', base_url: 'http://127.0.0.1:1', auth_schemes: [{ mode: 'NO_AUTH' }], tools: [{ slug: 'BROKEN_X', name: 'x', description: 'short', input_parameters: { type: 'object' }, request: { method: 'FETCH', path: '/x' } }] }));
    const { code, stderr } = await runToExit(dir.path, { LATCHKEY_TOOLKITS_DIR: toolkits, LATCHKEY_DATA_DIR: `${dir.path}/d2` });
    expect(code).toBe(1);
    expect(stderr).toContain('broken.json');
    expect(stderr).toMatch(/tools\[0\]\.request\.method/);
    expect(stderr).toMatch(/tools\[0\]\.description/);
  });
});
