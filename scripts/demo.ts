// `npm run demo`: latchkey with a local OAuth provider and a local API, on this machine only, so a
// newcomer can watch the whole story with no third-party account: an agent calls a tool, gets a
// Connect Link, the user signs in, the agent retries and gets the user's data.
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildDeps } from '../src/bootstrap.ts';
import { parseConfig } from '../src/config.ts';
import { createLogger } from '../src/log.ts';
import { startServer } from '../src/server.ts';
import { startAuthServer } from '../test/fixtures/oauth-server.ts';
import { oauthToolkit, serveTestApis } from '../test/fixtures/toolkits.ts';
import { startFakeUpstream } from '../test/helpers/fake-upstream.ts';
import { freePort } from '../test/helpers/live-app.ts';

const port = Number(process.env.PORT ?? 8787) || (await freePort());
const dataDir = join(process.cwd(), '.latchkey-demo');
mkdirSync(join(dataDir, 'toolkits'), { recursive: true });

const authServer = await startAuthServer({ redirectUris: [`http://127.0.0.1:${port}/api/v3/toolkits/auth/callback`] });
authServer.decide.account = 'demo-user';
const api = await startFakeUpstream();
serveTestApis(api, authServer, new Set());
writeFileSync(join(dataDir, 'toolkits', 'testoauth.json'), JSON.stringify({ ...oauthToolkit(authServer, api), name: 'Demo API' }, null, 2));

const apiKey = `ak_demo${randomBytes(16).toString('hex')}`;
const config = parseConfig({
  PORT: String(port),
  LATCHKEY_PUBLIC_URL: `http://127.0.0.1:${port}`,
  LATCHKEY_DATA_DIR: dataDir,
  LATCHKEY_API_KEY: apiKey,
  LATCHKEY_TOOLKITS_DIR: join(dataDir, 'toolkits'),
  LATCHKEY_ALLOW_INSECURE_LOOPBACK: 'true',
  LATCHKEY_OAUTH_TESTOAUTH_CLIENT_ID: authServer.clientId,
  LATCHKEY_OAUTH_TESTOAUTH_CLIENT_SECRET: authServer.clientSecret,
  LATCHKEY_LOG_LEVEL: process.env.LATCHKEY_LOG_LEVEL ?? 'warn',
});
const built = await buildDeps(config, createLogger(config.logLevel));
const server = await startServer(built);
const base = `http://127.0.0.1:${server.port}`;

const created = await fetch(`${base}/api/v3.1/tool_router/session`, {
  method: 'POST',
  headers: { 'x-api-key': apiKey, 'content-type': 'application/json' },
  // the demo's tools are preloaded so the inspector can call them directly (by default only the meta tools are listed)
  body: JSON.stringify({ user_id: 'demo-user', toolkits: ['testoauth', 'hackernews'], preload: { tools: 'all' } }),
});
const session = (await created.json()) as { session_id: string; mcp: { url: string; headers: Record<string, string> } };
const token = session.mcp.headers['x-session-token'];
// The inspector declares Node 22.19+; it runs on Node 20.19+ too, which the demo test checks by running
// these very commands: the first asks for a Connect Link, the second calls the tool once connected.
const inspectorCall = (...tool: string[]) => [
  'npx',
  '-y',
  '@modelcontextprotocol/inspector@2.12.0',
  '--cli',
  session.mcp.url,
  '--transport',
  'http',
  '--header',
  `x-session-token: ${token}`,
  '--method',
  'tools/call',
  ...tool,
];
const inspector = {
  link: inspectorCall('--tool-name', 'COMPOSIO_MANAGE_CONNECTIONS', '--tool-arg', 'toolkits=["testoauth"]'),
  call: inspectorCall('--tool-name', 'TESTOAUTH_GET_ME'),
};
const shellQuote = (arg: string) => (/^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg}'`);

console.log(`
latchkey demo is running (Ctrl-C to stop).

  REST API        ${base}/api/v3.1   (x-api-key: ${apiKey})
  MCP endpoint    ${session.mcp.url}
  MCP header      x-session-token: ${token}

Try it with the MCP inspector. Ask for a Connect Link:

  ${inspector.link.map(shellQuote).join(' ')}

open its redirect_url in a browser (the local OAuth server signs you in as demo-user), then call the
tool, which returns the user's data:

  ${inspector.call.map(shellQuote).join(' ')}
`);
console.log(JSON.stringify({ demo: 'ready', mcp_url: session.mcp.url, headers: session.mcp.headers, api_key: apiKey, inspector }));

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, async () => {
    await server.shutdown();
    await api.close();
    await authServer.close();
    process.exit(0);
  });
}
