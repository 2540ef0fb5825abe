import { execFile, spawn } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { FetchBrowser } from '../helpers/browser-fetch.ts';
import { ROOT } from '../helpers/spawn-server.ts';
import { makeTempDir } from '../helpers/temp-dir.ts';

const dir = makeTempDir();
afterAll(() => dir.cleanup());

describe('npm run demo', () => {
  it('serves a session that the MCP inspector commands it prints drive: a Connect Link, then the tool call succeeds after the link is completed', async () => {
    const child = spawn(`${ROOT}node_modules/.bin/tsx`, [`${ROOT}scripts/demo.ts`], {
      cwd: dir.path,
      env: { PATH: process.env.PATH ?? '', HOME: dir.path, PORT: '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    try {
      const ready = await new Promise<{ mcp_url: string; headers: Record<string, string>; inspector: { link: string[]; call: string[] } }>(
        (resolve, reject) => {
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
        },
      );
      // the inspector commands the demo prints work on this Node (the README's claim: 20.19+)
      const run = async ([command, ...args]: string[]) =>
        JSON.parse(
          (
            await promisify(execFile)(command!, args, {
              cwd: dir.path,
              env: { ...process.env, MCP_CATALOG_PATH: `${dir.path}/catalog.json`, npm_config_yes: 'true' },
              timeout: 90_000,
            })
          ).stdout,
        );
      const asked = JSON.parse((await run(ready.inspector.link)).content[0].text);
      const link = JSON.stringify(asked).match(/http:[^"]*\/link\/ln_[A-Za-z0-9_-]+/)![0];
      await new FetchBrowser().follow(link);
      expect(JSON.parse((await run(ready.inspector.call)).content[0].text)).toMatchObject({
        successful: true,
        data: { login: 'demo-user' },
      });
    } finally {
      child.kill('SIGTERM');
    }
  }, 120_000);
});
