import { html } from 'hono/html';
import type { Config } from '../config.ts';
import { page } from '../connect/pages.ts';

export interface ConsentQuestion {
  clientName: string;
  /** where the answer goes: the client's redirect URI, shown by its host (or scheme, for an app) */
  redirectTarget: string;
  requestId: string;
  csrfToken: string;
  /** with LATCHKEY_USER_VERIFIER_URL set, the app's verifier proves the person; otherwise the session token */
  viaVerifier: boolean;
  error?: string;
}

/**
 * The consent page of an MCP client's authorization: which client asks (its name as it registered,
 * escaped by hono's `html`, and where it will be sent), for what, and what proves the person may open
 * this session: the session token, or (with a verifier set) signing in to the app, which Continue leads to.
 */
export function consentPage(branding: Config['branding'], q: ConsentQuestion) {
  return page(
    branding,
    `Connect ${q.clientName}`,
    html`<h1>Connect ${q.clientName}?</h1>
      <p><strong>${q.clientName}</strong> asks to use this ${branding.appTitle} session: its tools, as the session's user, until
        you revoke it. It will be sent back to <strong>${q.redirectTarget}</strong>.</p>
      ${q.error ? html`<p class="error" role="alert">${q.error}</p>` : ''}
      <form method="post" action="/oauth/authorize" autocomplete="off">
        <input type="hidden" name="csrf_token" value="${q.csrfToken}" />
        <input type="hidden" name="request_id" value="${q.requestId}" />
        ${
          q.viaVerifier
            ? html`<p class="hint">Continue takes you to ${branding.appTitle} to confirm that you are this session's user.</p>
                <button type="submit" name="decision" value="allow">Continue</button>`
            : html`<label for="session_token">Session token</label>
                <input id="session_token" name="session_token" type="password" />
                <div class="hint">The token ${branding.appTitle} gave you for this session (lks_…, its x-session-token). Only someone who holds it can connect a client.</div>
                <button type="submit" name="decision" value="allow">Allow</button>`
        }
        <button type="submit" name="decision" value="deny" class="secondary">Deny</button>
      </form>`,
  );
}
