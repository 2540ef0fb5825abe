import { chmodSync, existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../helpers/chromium.ts';
import { allowOnConsentPage } from '../helpers/consent-page.ts';
import { startKeyedSessions, TEST_API_KEY, type KeyedSessions } from '../helpers/keyed-sessions.ts';
import { mcpList } from '../helpers/mcp-oauth.ts';
import { ROOT } from '../helpers/spawn-server.ts';
import { makeTempDir } from '../helpers/temp-dir.ts';
import { until } from '../helpers/wait.ts';

// mcp-remote (the stdio bridge Claude Desktop users run) against a bare session URL, no --header:
// it gets a 401, discovers latchkey's metadata, registers (DCR) and prints the authorization URL;
// the person opens it in Chromium and types the session token on the consent page; the browser goes
// back to mcp-remote's own loopback callback and mcp-remote exchanges the code. The MCP host is the
// v1 SDK's stdio client, as in Claude Desktop.

const MCP_REMOTE = createRequire(import.meta.url).resolve('mcp-remote/dist/proxy.js');
/** The Claude Desktop OAuth entry of mcp.json.example, what the README tells people to run: `npx -y mcp-remote <url>`. */
const EXAMPLE = JSON.parse(readFileSync(`${ROOT}mcp.json.example`, 'utf8')).mcpServers['latchkey-claude-desktop-oauth'];
/** The example's arguments after `mcp-remote`, with a real session URL. */
const exampleArgs = (url: string): string[] =>
  EXAMPLE.args.slice(EXAMPLE.args.indexOf('mcp-remote') + 1).map((arg: string) => (arg.includes('trs_REPLACE_ME') ? url : arg));

let keyed: KeyedSessions;
let browser: Browser;
const dir = makeTempDir('latchkey-mcp-remote-');
/** mcp-remote's token and client store (MCP_REMOTE_CONFIG_DIR): a temp dir, never the real HOME's ~/.mcp-auth */
const configDir = `${dir.path}/mcp-auth`;
const opened = `${dir.path}/browser-opened.jsonl`;
const bridges: StdioClientTransport[] = [];
let browserCommand: string;

/**
 * What mcp-remote runs as the browser (the `open` package's xdg-open runs $BROWSER when there is no
 * display): it records the URL and whether mcp-remote's OAuth callback was already listening at that
 * moment, and opens nothing. The test's own Chromium does the person's part.
 */
function writeFakeBrowser(): string {
  const path = `${dir.path}/browser.mjs`;
  writeFileSync(
    path,
    `#!${process.execPath}
import { appendFileSync } from 'node:fs';
const url = new URL(process.argv[2]);
const callback = new URL(url.searchParams.get('redirect_uri'));
let listening = false;
try {
  listening = (await fetch('http://127.0.0.1:' + callback.port + '/.mcp-remote/id')).ok;
} catch {}
appendFileSync(${JSON.stringify(opened)}, JSON.stringify({ url: url.href, listening }) + '\\n');
`,
  );
  chmodSync(path, 0o755);
  return path;
}

beforeAll(async () => {
  keyed = await startKeyedSessions();
  browser = await launchChromium();
  browserCommand = writeFakeBrowser();
});
afterAll(async () => {
  // every bridge process ends, whatever happened in the test (close: stdin end, then SIGTERM, SIGKILL)
  await Promise.all(bridges.map((t) => t.close().catch(() => {})));
  await browser?.close();
  await keyed?.close();
  dir.cleanup();
});

/** mcp-remote as mcp.json.example runs it, as a stdio MCP server of the v1 SDK client; its stderr collected. */
function startBridge(url: string) {
  const command = [MCP_REMOTE, ...exampleArgs(url)];
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: command,
    // only the SDK's default variables (PATH, USER…) besides these: no DISPLAY, so no real browser
    env: { HOME: dir.path, MCP_REMOTE_CONFIG_DIR: configDir, BROWSER: browserCommand },
    stderr: 'pipe',
  });
  bridges.push(transport);
  const output = { stderr: '' };
  transport.stderr!.on('data', (d) => (output.stderr += String(d)));
  const client = new Client({ name: 'stdio-host', version: '1.0.0' });
  const connected = client.connect(transport, { timeout: 90_000 });
  // awaited by the test; a failure before that point must not also surface as an unhandled rejection
  connected.catch(() => {});
  return { command, client, output, connected };
}

/** mcp-remote's token file for the one server it has signed in to. */
function tokensFile(): string {
  const name = readdirSync(`${configDir}/mcp-remote-v1`).find((file) => file.endsWith('_tokens.json'));
  if (!name) throw new Error('mcp-remote stored no tokens');
  return `${configDir}/mcp-remote-v1/${name}`;
}

const storedTokens = (): { access_token: string; refresh_token?: string; expires_at?: number } =>
  JSON.parse(readFileSync(tokensFile(), 'utf8'));

/** Each time mcp-remote opened the browser: the URL, and whether its callback was listening then. */
const browserOpenings = () =>
  readFileSync(opened, 'utf8')
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line));

const text = (result: any) => JSON.parse(result.content[0].text);

describe('mcp-remote against a bare session URL', () => {
  it('signs in by OAuth with no --header, calls tools as the session user, and refreshes on a later start', async () => {
    const session = await keyed.sessionWithAccount('rae');
    const bridge = startBridge(session.url);
    expect(bridge.command).toEqual([MCP_REMOTE, session.url]);

    const authorizationUrl = await until(
      'mcp-remote to print the authorization URL',
      async () => /Please authorize this client by visiting:\s+(\S+)/.exec(bridge.output.stderr)?.[1],
      30_000,
    ).catch((error) => {
      throw new Error(`${error.message}; mcp-remote said:\n${bridge.output.stderr}`);
    });
    const url = new URL(authorizationUrl);
    expect(url.origin).toBe(keyed.app.url);
    expect(url.searchParams.get('client_id')).toMatch(/^mcpc_/);
    expect(url.searchParams.get('resource')).toBe(session.url);
    const callback = url.searchParams.get('redirect_uri')!;

    // when mcp-remote sent the person to the browser, its callback was already listening
    await until('mcp-remote to open the browser', async () => existsSync(opened) && readFileSync(opened, 'utf8').trim());
    expect(browserOpenings()).toEqual([{ url: expect.stringContaining(`state=${url.searchParams.get('state')}`), listening: true }]);

    const context = await browser.newContext();
    try {
      const page = await context.newPage();
      expect(await allowOnConsentPage(page, authorizationUrl, session.token)).toContain('MCP CLI Proxy');
      await page.waitForURL((at) => at.href.startsWith(callback));
      expect(await page.textContent('body')).toContain('Authorization successful');
    } finally {
      await context.close();
    }
    await bridge.connected;

    const names = (await bridge.client.listTools()).tools.map((t) => t.name);
    expect(names).toContain('TESTKEY_WHOAMI');
    const before = keyed.api.requests.length;
    const who = text(await bridge.client.callTool({ name: 'TESTKEY_WHOAMI', arguments: {} }));
    expect(who.data ?? who).toMatchObject({ account: { region: 'rae-region' } });
    const upstream = keyed.api.requests.slice(before).filter((r) => r.url.startsWith('/whoami'));
    expect(upstream.map((r) => [r.headers['x-api-key'], r.headers['x-region']])).toEqual([[TEST_API_KEY, 'rae-region']]);

    // the token mcp-remote holds opens its own session's URL and no other
    const { access_token } = storedTokens();
    expect(access_token).toMatch(/^lka_/);
    expect((await mcpList(session.url, `Bearer ${access_token}`)).status).toBe(200);
    const other = await keyed.sessionWithAccount('sol');
    expect((await mcpList(other.url, `Bearer ${access_token}`)).status).toBe(401);

    // started again an hour later (Claude Desktop restarting): the access token has expired, for
    // latchkey and in mcp-remote's store; mcp-remote refreshes it, with no browser and no new consent
    await bridge.client.close();
    const first = storedTokens();
    keyed.app.clock.advance(keyed.app.deps.config.mcpAccessTokenTtlMs + 1000);
    expect((await mcpList(session.url, `Bearer ${first.access_token}`)).status).toBe(401);
    writeFileSync(tokensFile(), JSON.stringify({ ...first, expires_at: Date.now() - 1000 }));
    const again = startBridge(session.url);
    await again.connected;
    const later = text(await again.client.callTool({ name: 'TESTKEY_WHOAMI', arguments: {} }));
    expect(later.data ?? later).toMatchObject({ account: { region: 'rae-region' } });
    expect(again.output.stderr).not.toContain('Please authorize');
    expect(browserOpenings()).toHaveLength(1);
    const refreshed = storedTokens();
    expect(refreshed.access_token).not.toBe(first.access_token);
    expect(refreshed.refresh_token).not.toBe(first.refresh_token);
    expect((await mcpList(session.url, `Bearer ${refreshed.access_token}`)).status).toBe(200);
  }, 120_000);
});
