import type { Browser, BrowserContext } from 'playwright-core';
import type { FakeUpstream } from './fake-upstream.ts';

/**
 * An app that plays the verifier of LATCHKEY_USER_VERIFIER_URL (callback identity verification): it
 * knows who is signed in to it in this browser (the `app_user` cookie a test sets), reads
 * `session_uri`, calls `complete_auth` with the project key and its own user, and sends the browser on
 * to the returned callback_url. `/verify` is its verifier route, `/done` a callback page.
 */

export interface VerifierCall {
  query: URLSearchParams;
  user: string | undefined;
  status: number;
  body: any;
}

export interface VerifierApp {
  /** every complete_auth call the app made, in order */
  calls: VerifierCall[];
  /** runs after the verifier got a session_uri and before it calls complete_auth */
  beforeComplete: ((sessionUri: string) => Promise<void>) | null;
  /** a browser context signed in to the app as `user` */
  signedIn(browser: Browser, user: string): Promise<BrowserContext>;
}

/** Serves the app on `web`; `latchkey` is read per call, so the app can be started before latchkey knows its URL. */
export function serveVerifierApp(web: FakeUpstream, latchkey: () => { url: string; apiKey: string }): VerifierApp {
  const app: VerifierApp = {
    calls: [],
    beforeComplete: null,
    async signedIn(browser, user) {
      const context = await browser.newContext();
      await context.addCookies([{ name: 'app_user', value: encodeURIComponent(user), url: web.url }]);
      return context;
    },
  };
  web.on('/verify', async (req, res) => {
    const url = new URL(req.url, web.url);
    const user = /(?:^|;\s*)app_user=([^;]+)/.exec(String(req.headers.cookie ?? ''))?.[1];
    const sessionUri = url.searchParams.get('session_uri') ?? '';
    if (app.beforeComplete) await app.beforeComplete(sessionUri);
    const { url: base, apiKey } = latchkey();
    const answer = await fetch(`${base}/api/v3.1/connected_accounts/complete_auth`, {
      method: 'POST',
      headers: { 'x-api-key': apiKey, 'content-type': 'application/json' },
      body: JSON.stringify({ session_uri: sessionUri, user_id: user ? decodeURIComponent(user) : 'nobody' }),
    });
    const body = (await answer.json()) as any;
    app.calls.push({ query: url.searchParams, user, status: answer.status, body });
    if (answer.ok && body.callback_url) {
      res.writeHead(303, { location: body.callback_url });
      res.end();
      return;
    }
    res.writeHead(answer.ok ? 200 : 403, { 'content-type': 'text/html' });
    res.end(answer.ok ? '<h1>Connected</h1>' : '<h1>This connection was not started by you</h1>');
  });
  web.on('/done', (_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html' });
    res.end('<h1>Back in the app</h1>');
  });
  return app;
}
