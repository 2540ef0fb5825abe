import { spawn } from 'node:child_process';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { afterAll, describe, expect, it } from 'vitest';
import { FetchBrowser } from '../helpers/browser-fetch.ts';
import { ROOT } from '../helpers/spawn-server.ts';
import { makeTempDir } from '../helpers/temp-dir.ts';

const dir = makeTempDir();
afterAll(() => dir.cleanup());

describe('npm run demo', () => {
  it('serves a session whose tool call gives a Connect Link, and succeeds after the link is completed', async () => {
    const child = spawn(`${ROOT}node_modules/.bin/tsx`, [`${ROOT}scripts/demo.ts`], { cwd: dir.path, env: { PATH: process.env.PATH ?? '', HOME: dir.path, PORT: '0' }, stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      const ready = await new Promise<{ mcp_url: string; headers: Record<string, string> }>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('demo did not start')), 30_000);
        let out = '';
        child.stdout.on('data', (d) => {
          out += String(d);
          const line = out.split('\n').find((l) => l.startsWith('{"demo":"ready"'));
          if (line) {
            clearTimeout(timer);
            resolve(JSON.parse(line));
          }
        });
        child.on('exit', (code) => reject(new Error(`demo exited ${code}`)));
      });
      const client = new Client({ name: 'demo-check', version: '1.0.0' });
      await client.connect(new StreamableHTTPClientTransport(new URL(ready.mcp_url), { requestInit: { headers: ready.headers } }));
      const first = JSON.parse(((await client.callTool({ name: 'TESTOAUTH_GET_ME', arguments: {} })) as any).content[0].text);
      expect(first.data.redirect_url).toMatch(/\/link\/ln_/);
      await new FetchBrowser().follow(first.data.redirect_url);
      const second = JSON.parse(((await client.callTool({ name: 'TESTOAUTH_GET_ME', arguments: {} })) as any).content[0].text);
      expect(second).toMatchObject({ successful: true, data: { login: 'demo-user' } });
      await client.close();
    } finally {
      child.kill('SIGTERM');
    }
  }, 60_000);
});
