import { html } from 'hono/html';
import { initialBadge } from '../connect/logos.ts';
import { page, type View } from '../connect/pages.ts';

export interface ConsentQuestion {
  clientName: string;
  /** where the answer goes: the client's redirect URI, by scheme, host and path */
  redirectTarget: string;
  /** the redirect URI is not http(s): the answer opens an application on this computer */
  opensApp: boolean;
  requestId: string;
  csrfToken: string;
  /** with LATCHKEY_USER_VERIFIER_URL set, the app's verifier proves the person; otherwise the session token */
  viaVerifier: boolean;
  error?: string;
}

/**
 * The consent page of an MCP client's authorization: which client asks (its name as it registered,
 * escaped by hono's `html`, and where the answer goes, with a warning when that opens an app rather
 * than a web page: registration is open, so the redirect URI is the asker's choice), for what, and what
 * proves the person may open this session: the session token, or (with a verifier set) signing in to
 * the app, which Continue leads to. The client's badge is its initial, never a logo it registered
 * (`logo_uri`): an image the asker chose would lend it a look of trust it has not earned.
 */
export function consentPage(view: View, q: ConsentQuestion) {
  const { t, branding } = view;
  const app = branding.appTitle;
  return page(view, {
    title: t.consentTitle(q.clientName),
    logo: initialBadge(q.clientName),
    body: html`<h1>${t.consentTitle(q.clientName)}</h1>
      <p>${t.consentAsks(q.clientName, app)}</p>
      <p>${t.answerGoesTo} <strong><code>${q.redirectTarget}</code></strong></p>
      ${q.opensApp ? html`<p class="error" role="note">${t.opensApp(q.clientName)}</p>` : ''}
      ${q.error ? html`<p class="error" role="alert">${q.error}</p>` : ''}
      <form method="post" action="/oauth/authorize" autocomplete="off">
        <input type="hidden" name="csrf_token" value="${q.csrfToken}" />
        <input type="hidden" name="request_id" value="${q.requestId}" />
        ${
          q.viaVerifier
            ? html`<p class="hint">${t.verifierHint(app)}</p>
                <button class="button" type="submit" name="decision" value="allow">${t.continue}</button>`
            : html`<label for="session_token">${t.sessionToken}</label>
                <input id="session_token" name="session_token" type="password" aria-describedby="session_token_hint" />
                <div class="hint" id="session_token_hint">${t.sessionTokenHint(app)}</div>
                <button class="button" type="submit" name="decision" value="allow">${t.allow}</button>`
        }
        <button class="button secondary" type="submit" name="decision" value="deny">${t.deny}</button>
      </form>`,
  });
}
