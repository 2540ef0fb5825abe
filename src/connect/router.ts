import { Hono, type Context } from 'hono';
import { getCookie, setCookie } from 'hono/cookie';
import { csrf } from 'hono/csrf';
import type { Deps } from '../deps.ts';
import { AppError } from '../errors.ts';
import type { AppEnv } from '../http/env.ts';
import {
  beginRedirect,
  completeCallback,
  completeWithForm,
  isRedirectLink,
  linkPage,
  openLink,
  saveConnectionFields,
  type FlowOutcome,
  type LinkProblem,
  type OpenLink,
} from '../services/connect-flow.ts';
import { verifierFormTargets } from '../services/user-verification.ts';
import { csrfTokenMatches, issueCsrfToken } from './csrf-token.ts';
import { readPageForm } from './page-form.ts';
import { contentSecurityPolicy, credentialsForm, messagePage, successPage } from './pages.ts';

const LINK_PROBLEMS: Record<LinkProblem, [number, string, string]> = {
  unknown: [404, 'Link not found', 'This connect link does not exist. Ask your assistant for a new one.'],
  expired: [410, 'Link expired', 'This connect link has expired (links last 10 minutes). Ask your assistant for a new one.'],
  used: [410, 'Link already used', 'This connect link was already used. Ask your assistant for a new one if you still need to connect.'],
  not_pending: [410, 'Link no longer valid', 'This connection is no longer waiting to be completed. Ask your assistant for a new link.'],
};

const CALLBACK_PROBLEMS = {
  unknown_state: [400, 'Unknown sign-in', 'This sign-in response does not belong to any pending connection. Start again from a new link.'],
  used_state: [400, 'Sign-in already completed', 'This sign-in response was already used. Start again from a new link if you need to.'],
  expired: [410, 'Link expired', 'The connect link expired before the sign-in finished. Ask your assistant for a new one.'],
  other_browser: [400, 'Different browser', 'This sign-in was started in another browser. Open the connect link again in this one.'],
} as const;

/** A form over the body limit (checked in front of every route, see app.ts), as a page a person can read. */
export const connectTooLarge = (c: Context, branding: Deps['config']['branding']) => {
  c.header('Content-Security-Policy', contentSecurityPolicy(branding));
  return c.html(messagePage(branding, 'Form too large', 'What was sent is larger than this page accepts. Go back and try again.'), 413);
};

/**
 * The CSP source for where a URL template leads: its origin, a templated leading host label as a
 * wildcard (`https://*.zendesk.com`); a template CSP cannot express (a whole templated origin) falls
 * back to its scheme.
 */
function redirectSource(template: string): string {
  const origin = /^([a-z][a-z0-9+.-]*:)\/\/[^/?#]*/i.exec(template.replace(/\{\{[^}]*\}\}/g, '*'));
  if (!origin) return 'https:';
  const [source, scheme] = origin;
  return /^[^*]*:\/\/(\*\.)?[^*]*$/.test(source) ? source : scheme!;
}

const flowCookie = (linkId: string) => `lk_flow_${linkId}`;

/**
 * The browser-facing routes: the hosted Connect page and the OAuth callback. No API key here: a link
 * token (and, for the callback, the state plus a cookie from the same browser) is the authority.
 */
export function connectRouter(deps: Deps) {
  const router = new Hono<AppEnv>();
  const branding = deps.config.branding;
  const secure = deps.config.publicUrl.startsWith('https:');
  const publicOrigin = new URL(deps.config.publicUrl).origin;

  const render = (c: Context<AppEnv>, status: number, body: ReturnType<typeof messagePage>, formTargets: string[] = []) => {
    c.header('Content-Security-Policy', contentSecurityPolicy(branding, formTargets));
    return c.html(body, status as 200);
  };
  const finish = (c: Context<AppEnv>, outcome: FlowOutcome) => {
    if (outcome.status === 'verifying' || outcome.redirectTo) return c.redirect(outcome.redirectTo!, 303);
    if (outcome.status === 'success') return render(c, 200, successPage(branding, outcome.toolkit.name));
    return render(c, 400, messagePage(branding, 'Connection failed', `${outcome.toolkit.name} was not connected: ${outcome.reason}`));
  };

  const showForm = (c: Context<AppEnv>, open: OpenLink, status: number, error?: string) => {
    const csrfToken = issueCsrfToken(c, `/link/${c.req.param('token')}`, secure);
    const page = linkPage(open);
    const oauth = page.redirect;
    const fields = page.fields;
    const intro = !oauth
      ? `Enter your ${open.toolkit.name} credentials. They are encrypted and used only for requests you ask your assistant to make.`
      : fields.length > 0
        ? `Tell us which ${open.toolkit.name} workspace to use, then sign in there.`
        : `Continue to sign in at ${open.toolkit.name}.`;
    // the answer to this form redirects to the provider (OAuth), then to the app's verifier or callback_url
    const targets = [
      ...(page.redirectTo ? [redirectSource(page.redirectTo)] : []),
      ...(open.link.callbackUrl ? [new URL(open.link.callbackUrl).origin] : []),
      ...verifierFormTargets(deps),
    ];
    return render(
      c,
      status,
      credentialsForm(branding, {
        toolkitName: open.toolkit.name,
        action: `/link/${c.req.param('token')}`,
        csrfToken,
        fields: fields.map((field) => ({ field })),
        error,
        intro,
        userId: open.account.userId,
        submit: oauth && fields.length === 0 ? 'continue' : 'connect',
      }),
      targets,
    );
  };

  const redirectToProvider = async (c: Context<AppEnv>, open: OpenLink) => {
    const { url, browserNonce } = await beginRedirect(deps, open);
    setCookie(c, flowCookie(open.link.id), browserNonce, {
      path: '/api/v3/toolkits/auth/callback',
      httpOnly: true,
      sameSite: 'Lax',
      secure,
      maxAge: 900,
    });
    return c.redirect(url.href, 302);
  };

  router.get('/link/:token', async (c) => {
    c.header('Cache-Control', 'no-store');
    const open = await openLink(deps, c.req.param('token'));
    if (typeof open === 'string')
      return render(c, LINK_PROBLEMS[open][0], messagePage(branding, LINK_PROBLEMS[open][1], LINK_PROBLEMS[open][2]));
    // never straight to the provider: the page first says for whom (app and user) the account is
    // connected, so a person sent someone else's link sees it is not theirs; Continue posts back here
    return showForm(c, open, 200);
  });

  router.post(
    '/link/:token',
    csrf({ origin: (origin, c) => origin === publicOrigin || origin === new URL(c.req.url).origin }),
    async (c) => {
      c.header('Cache-Control', 'no-store');
      const open = await openLink(deps, c.req.param('token'));
      if (typeof open === 'string')
        return render(c, LINK_PROBLEMS[open][0], messagePage(branding, LINK_PROBLEMS[open][1], LINK_PROBLEMS[open][2]));
      const form = await readPageForm(c, branding);
      if (form instanceof Response) return form;
      if (!csrfTokenMatches(c, form.csrf_token)) {
        return render(c, 403, messagePage(branding, 'Form expired', 'This form could not be verified. Reload the page and try again.'));
      }
      try {
        if (isRedirectLink(open)) return await redirectToProvider(c, await saveConnectionFields(deps, open, form));
        return finish(c, await completeWithForm(deps, open, form));
      } catch (error) {
        if (error instanceof AppError && (error.code === 'VALIDATION_FAILED' || error.code === 'CREDENTIALS_REJECTED'))
          return showForm(c, open, 400, error.message);
        if (error instanceof AppError && isRedirectLink(open))
          return render(c, 502, messagePage(branding, 'Sign-in could not start', error.message));
        throw error;
      }
    },
  );

  router.get('/api/v3/toolkits/auth/callback', async (c) => {
    c.header('Cache-Control', 'no-store');
    const outcome = await completeCallback(deps, new URL(c.req.url), (linkId) => getCookie(c, flowCookie(linkId)));
    if (typeof outcome === 'string') {
      const [status, title, message] = CALLBACK_PROBLEMS[outcome];
      return render(c, status, messagePage(branding, title, message));
    }
    return finish(c, outcome);
  });

  return router;
}
