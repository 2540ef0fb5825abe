import { startAuthServer, type TestAuthServer } from '../fixtures/oauth-server.ts';
import { apiKeyToolkit, oauthToolkit, serveTestApis } from '../fixtures/toolkits.ts';
import { startFakeUpstream, type FakeUpstream } from './fake-upstream.ts';
import { freePort, startLiveApp, type LiveApp } from './live-app.ts';

export interface McpTestbed {
  as: TestAuthServer;
  api: FakeUpstream;
  app: LiveApp;
  /** an auth config of the OAuth test toolkit through the local OAuth server */
  authConfigId: string;
  close(): Promise<void>;
}

/**
 * What the MCP end-to-end tests run against: latchkey listening on loopback with the OAuth and
 * API-key test toolkits, the local OAuth server (its redirect URI is latchkey's callback) and the
 * fake upstream behind both toolkits.
 */
export async function startMcpTestbed(): Promise<McpTestbed> {
  const port = await freePort();
  const as = await startAuthServer({ redirectUris: [`http://127.0.0.1:${port}/api/v3/toolkits/auth/callback`] });
  const api = await startFakeUpstream();
  serveTestApis(api, as, new Set(['key-alpha-123456']));
  const app = await startLiveApp({ port, toolkits: [oauthToolkit(as, api), apiKeyToolkit(api)] });
  const created = await app.api('/api/v3.1/auth_configs', {
    body: {
      toolkit: { slug: 'testoauth' },
      auth_config: { type: 'use_custom_auth', credentials: { client_id: as.clientId, client_secret: as.clientSecret } },
    },
  });
  return {
    as,
    api,
    app,
    authConfigId: created.body.auth_config.id,
    close: async () => {
      await app.close();
      await api.close();
      await as.close();
    },
  };
}
