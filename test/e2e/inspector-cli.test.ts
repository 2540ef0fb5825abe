import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLiveApp, type LiveApp } from '../helpers/live-app.ts';
import { makeTempDir } from '../helpers/temp-dir.ts';

const run = promisify(execFile);
let app: LiveApp;
const dir = makeTempDir();

beforeAll(async () => {
  app = await startLiveApp();
});
afterAll(async () => {
  await app.close();
  dir.cleanup();
});

/** The MCP inspector's CLI mode, as a person would run it against a session URL and token. */
async function inspector(url: string, token: string, ...args: string[]) {
  const { stdout } = await run(
    'npx',
    ['-y', '@modelcontextprotocol/inspector@2.12.0', '--cli', url, '--transport', 'http', '--header', `x-session-token: ${token}`, ...args],
    {
      env: { ...process.env, MCP_CATALOG_PATH: `${dir.path}/catalog.json`, HOME: dir.path, npm_config_yes: 'true' },
      timeout: 150_000,
    },
  );
  return JSON.parse(stdout);
}

describe('the MCP inspector CLI against a session', () => {
  it('lists and calls tools', async () => {
    const session = await app.api('/api/v3.1/tool_router/session', {
      body: { user_id: 'ivy', toolkits: ['hackernews', 'github'], preload: { tools: ['GITHUB_GET_THE_AUTHENTICATED_USER'] } },
    });
    const { url, headers } = session.body.mcp;
    const listed = await inspector(url, headers['x-session-token'], '--method', 'tools/list');
    const names = listed.tools.map((t: { name: string }) => t.name);
    expect(names).toContain('COMPOSIO_MANAGE_CONNECTIONS');
    expect(names).toContain('GITHUB_GET_THE_AUTHENTICATED_USER');
    const called = await inspector(
      url,
      headers['x-session-token'],
      '--method',
      'tools/call',
      '--tool-name',
      'COMPOSIO_MANAGE_CONNECTIONS',
      '--tool-arg',
      'toolkits=["github"]',
    );
    const result = JSON.parse(called.content[0].text);
    expect(result.data.results.github.status).toBe('initiated');
    expect(result.data.results.github.redirect_url).toMatch(/\/link\/ln_/);
  }, 180_000);
});
