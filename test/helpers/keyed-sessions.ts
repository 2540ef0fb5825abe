import { apiKeyToolkit } from '../fixtures/toolkits.ts';
import { startFakeUpstream, type FakeUpstream } from './fake-upstream.ts';
import { startLiveApp, type LiveApp } from './live-app.ts';

export const TEST_API_KEY = 'key-alpha-123456';

export interface TestSession {
  id: string;
  url: string;
  /** the session token (`lks_…`), what the person types on the consent page */
  token: string;
}

export interface KeyedSessions {
  app: LiveApp;
  /** the API-key toolkit's upstream: `/whoami` answers with the region it was sent (each user's is `<user>-region`) */
  api: FakeUpstream;
  /** the API-key toolkit's auth config */
  authConfigId: string;
  /** a session of `userId` with an ACTIVE account of the API-key toolkit and all its tools preloaded */
  sessionWithAccount(userId: string): Promise<TestSession>;
  close(): Promise<void>;
}

/**
 * What the MCP OAuth client tests run against: latchkey on loopback with the API-key test toolkit
 * and its fake upstream, where a tool call shows whose credential it carried.
 */
export async function startKeyedSessions(env: Record<string, string> = {}): Promise<KeyedSessions> {
  const api = await startFakeUpstream();
  api.on('/whoami', (req, res) => {
    res.writeHead(req.headers['x-api-key'] === TEST_API_KEY ? 200 : 401, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ account: { email: 'ada@example.com', region: req.headers['x-region'] } }));
  });
  const app = await startLiveApp({ toolkits: [apiKeyToolkit(api)], env });
  const keyConfig = (await app.api('/api/v3.1/auth_configs', { body: { toolkit: { slug: 'testkey' } } })).body.auth_config.id;

  async function sessionWithAccount(userId: string): Promise<TestSession> {
    const account = await app.api('/api/v3.1/connected_accounts', {
      body: {
        auth_config: { id: keyConfig },
        connection: { user_id: userId, state: { authScheme: 'API_KEY', val: { api_key: TEST_API_KEY, region: `${userId}-region` } } },
      },
    });
    if (account.body.status !== 'ACTIVE') throw new Error(`account of ${userId} is not ACTIVE: ${JSON.stringify(account.body)}`);
    const res = await app.api('/api/v3.1/tool_router/session', {
      body: { user_id: userId, toolkits: { enable: ['testkey'] }, preload: { tools: 'all' } },
    });
    if (res.status !== 201) throw new Error(`session of ${userId}: ${res.status} ${JSON.stringify(res.body)}`);
    return { id: res.body.session_id, url: res.body.mcp.url, token: res.body.mcp.headers['x-session-token'] };
  }

  return {
    app,
    api,
    authConfigId: keyConfig,
    sessionWithAccount,
    close: async () => {
      await app.close();
      await api.close();
    },
  };
}
