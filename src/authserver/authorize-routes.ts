import { Hono, type Context } from 'hono';
import { getCookie, setCookie } from 'hono/cookie';
import { csrf } from 'hono/csrf';
import { csrfTokenMatches, issueCsrfToken } from '../connect/csrf-token.ts';
import { readPageForm } from '../connect/page-form.ts';
import type { Messages } from '../connect/messages/index.ts';
import { pageView, sendPage, type HostedPage } from '../connect/pages.ts';
import { problemPage, statusPage } from '../connect/status-page.ts';
import type { Deps } from '../deps.ts';
import type { AppEnv } from '../http/env.ts';
import {
  approveAuthorization,
  AuthorizationPageError,
  beginAuthorization,
  denyAuthorization,
  pendingAuthorization,
} from '../grants/authorizations.ts';
import { OAUTH_PATHS } from '../grants/metadata.ts';
import {
  AUTHORIZATION_RETURN_PATH,
  authorizationCookie,
  holdAuthorization,
  returnFromVerifier,
  verificationRequired,
  verifierFormTargets,
} from '../services/user-verification.ts';
import { sessionByToken } from '../sessions/session.ts';
import { consentPage } from './consent-page.ts';

/** Where a form's answer redirects, as a CSP source: the origin of a web redirect URI, the scheme of an app's. */
const formTarget = (redirectUri: string) => {
  const url = new URL(redirectUri);
  return /^https?:$/.test(url.protocol) ? url.origin : url.protocol;
};

/** Where the answer goes, as the consent page shows it: scheme, host and path (no query), and whether it opens an app. */
const redirectTarget = (redirectUri: string) => {
  const url = new URL(redirectUri);
  const web = /^https?:$/.test(url.protocol);
  const shown = web || url.host ? `${url.protocol}//${url.host}${url.pathname}` : `${url.protocol}${url.pathname}`;
  return { redirectTarget: shown.length > 200 ? `${shown.slice(0, 200)}…` : shown, opensApp: !web };
};

/**
 * The authorization endpoint (OAuth 2.1 §4.1): GET checks the request and shows the consent page;
 * the page's POST (Origin check and double-submit token, as the other hosted forms) answers it. The
 * person proves they may open the session with its session token or, with a verifier set, only
 * through the app's verifier and `complete_auth`: the app knows its signed-in user, a token can be
 * pasted by anyone it leaked to. After a match the app sends the browser to the return route, which
 * calls the same `approveAuthorization` only for the browser whose cookie Continue set.
 */
export function authorizeRoutes(deps: Deps) {
  const branding = deps.config.branding;
  const secure = deps.config.publicUrl.startsWith('https:');
  const publicOrigin = new URL(deps.config.publicUrl).origin;
  const viaVerifier = verificationRequired(deps);
  // Continue redirects to the verifier
  const verifierTargets = verifierFormTargets(deps);

  const render = (c: Context<AppEnv>, status: number, hosted: HostedPage, formTargets: string[] = []) => {
    c.header('Cache-Control', 'no-store');
    return sendPage(c, status, hosted, formTargets);
  };
  /** A request that cannot go on: our words, or (`detail`) what the client's request got wrong, for its developer */
  const problem = (c: Context<AppEnv>, words: (t: Messages) => string, detail?: string) => {
    const v = pageView(c, branding);
    return render(c, 400, statusPage(v, { tone: 'warning', title: v.t.cannotContinue, message: words(v.t), detail }));
  };
  const consent = (
    c: Context<AppEnv>,
    status: number,
    q: { clientName: string; redirectUri: string; requestId: string; error?: (t: Messages) => string },
  ) => {
    const v = pageView(c, branding);
    return render(
      c,
      status,
      consentPage(v, {
        clientName: q.clientName,
        ...redirectTarget(q.redirectUri),
        requestId: q.requestId,
        csrfToken: issueCsrfToken(c, OAUTH_PATHS.authorize, secure),
        viaVerifier,
        error: q.error?.(v.t),
      }),
      [formTarget(q.redirectUri), ...verifierTargets],
    );
  };

  return new Hono<AppEnv>()
    .get(AUTHORIZATION_RETURN_PATH, async (c) => {
      // the app's redirect after complete_auth matched: the code goes only to the browser that pressed Continue
      const back = await returnFromVerifier(deps, c.req.query('ref') ?? '', (request) => getCookie(c, authorizationCookie(request)));
      if (back.outcome === 'approved') {
        c.header('Cache-Control', 'no-store');
        return c.redirect(back.redirect, 302);
      }
      if (back.outcome === 'other_browser') {
        const v = pageView(c, branding);
        return render(c, 403, problemPage(v, v.t.otherBrowserConsentTitle, v.t.otherBrowserConsent));
      }
      return problem(c, (t) => t.requestGone);
    })
    .get(OAUTH_PATHS.authorize, async (c) => {
      try {
        const started = await beginAuthorization(deps, new URL(c.req.url).searchParams);
        const clientName = started.client.metadata.client_name ?? started.client.id;
        return consent(c, 200, { clientName, redirectUri: started.redirectUri, requestId: started.requestId });
      } catch (error) {
        // nothing is redirected before the person answered (RFC 9700 §4.11.2; see beginAuthorization)
        if (error instanceof AuthorizationPageError) return problem(c, (t) => t.requestRefused, error.message);
        throw error;
      }
    })
    .post(
      OAUTH_PATHS.authorize,
      csrf({ origin: (origin, c) => origin === publicOrigin || origin === new URL(c.req.url).origin }),
      async (c) => {
        const form = await readPageForm(c, branding);
        if (form instanceof Response) return form;
        const field = (name: string) => form[name] ?? '';
        const requestId = field('request_id');
        const pending = await pendingAuthorization(deps, requestId);
        if (!pending) return problem(c, (t) => t.requestGone);
        if (!csrfTokenMatches(c, field('csrf_token'))) {
          const v = pageView(c, branding);
          return render(c, 403, problemPage(v, v.t.formExpiredTitle, v.t.consentFormExpired));
        }
        const { request, client } = pending;
        if (field('decision') === 'deny') {
          const url = await denyAuthorization(deps, requestId);
          return url ? c.redirect(url, 303) : problem(c, (t) => t.requestAnswered);
        }
        // with a verifier the session token is not asked for, and not taken either; the cookie binds the
        // request to this browser, which alone gets the code back (see returnFromVerifier)
        if (viaVerifier) {
          const { verifierUrl, browserNonce } = await holdAuthorization(deps, requestId, request);
          setCookie(c, authorizationCookie(request), browserNonce, {
            path: AUTHORIZATION_RETURN_PATH,
            httpOnly: true,
            // Lax: the app's redirect back is a top-level GET navigation from another site
            sameSite: 'Lax',
            secure,
            maxAge: 900,
          });
          return c.redirect(verifierUrl, 303);
        }
        const session = await sessionByToken(deps, field('session_token').trim());
        const url = session && session.id === request.sessionId ? await approveAuthorization(deps, requestId, session) : undefined;
        if (url) return c.redirect(url, 303);
        const clientName = client.metadata.client_name ?? client.id;
        return consent(c, 400, {
          clientName,
          redirectUri: request.redirectUri,
          requestId,
          error: (t) => t.wrongToken,
        });
      },
    );
}
