import { startFakeUpstream, type FakeUpstream } from '../helpers/fake-upstream.ts';
import { freePort, startLiveApp, type LiveApp } from '../helpers/live-app.ts';
import { startAuthServer, type TestAuthServer } from '../fixtures/oauth-server.ts';
import { apiKeyToolkit, oauthToolkit, serveTestApis } from '../fixtures/toolkits.ts';
import { webhookReceiver } from '../fixtures/webhook-receiver.ts';

export interface CompatStack {
  as: TestAuthServer;
  api: FakeUpstream;
  app: LiveApp;
  receiver: ReturnType<typeof webhookReceiver>;
  close(): Promise<void>;
}

/** latchkey with the local OAuth server (as the operator's managed app for `testoauth`) and a local API; `env` adds settings. */
export async function startCompatStack(env: Record<string, string> = {}): Promise<CompatStack> {
  const port = await freePort();
  const as = await startAuthServer({ redirectUris: [`http://127.0.0.1:${port}/api/v3/toolkits/auth/callback`] });
  const api = await startFakeUpstream();
  serveTestApis(api, as, new Set(['key-alpha-123456', 'key-bravo-654321']));
  const receiver = webhookReceiver(api);
  const app = await startLiveApp({
    port,
    toolkits: [oauthToolkit(as, api), apiKeyToolkit(api)],
    env: {
      LATCHKEY_OAUTH_TESTOAUTH_CLIENT_ID: as.clientId,
      LATCHKEY_OAUTH_TESTOAUTH_CLIENT_SECRET: as.clientSecret,
      LATCHKEY_WEBHOOK_INTERVAL_MS: '100',
      ...env,
    },
  });
  return {
    as,
    api,
    app,
    receiver,
    close: async () => {
      await app.close();
      await api.close();
      await as.close();
    },
  };
}
