import { html } from 'hono/html';
import type { Config } from '../config.ts';
import { page } from '../connect/pages.ts';

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
 * the app, which Continue leads to.
 */
export function consentPage(branding: Config['branding'], q: ConsentQuestion) {
  return page(
    branding,
    `Connect ${q.clientName}`,
    html`<h1>Connect ${q.clientName}?</h1>
      <p><strong>${q.clientName}</strong> asks to use this ${branding.appTitle} session: its tools, as the session's user, until
        you revoke it.</p>
      <p>Your answer is sent to <strong><code>${q.redirectTarget}</code></strong>.</p>
      ${
        q.opensApp
          ? html`<p class="error" role="note">This address opens an application on your computer, not a web page. Allow only if you are connecting ${q.clientName} from an app installed here.</p>`
          : ''
      }
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
