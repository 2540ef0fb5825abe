import { Hono, type Context } from 'hono';
import { getCookie, setCookie } from 'hono/cookie';
import { csrf } from 'hono/csrf';
import type { Deps } from '../deps.ts';
import { AppError } from '../errors.ts';
import type { AppEnv } from '../http/env.ts';
import {
  appCallbackUrl,
  beginRedirect,
  completeCallback,
  completeWithForm,
  isLinkTrouble,
  isRedirectLink,
  linkPage,
  openLink,
  saveConnectionFields,
  type CallbackProblem,
  type FlowOutcome,
  type LinkTrouble,
  type OpenLink,
} from '../services/connect-flow.ts';
import { verifierFormTargets } from '../services/user-verification.ts';
import { csrfTokenMatches, issueCsrfToken } from './csrf-token.ts';
import { connectPage } from './link-page.ts';
import { toolkitLogo } from './logos.ts';
import type { Messages } from './messages/index.ts';
import { readPageForm } from './page-form.ts';
import { pageView, sendPage, type HostedPage, type View } from './pages.ts';
import { problemPage, statusPage } from './status-page.ts';

const LINK_PROBLEMS: Record<LinkTrouble['problem'], [number, (t: Messages) => [string, string]]> = {
  unknown: [404, (t) => [t.linkUnknownTitle, t.linkUnknown]],
  expired: [410, (t) => [t.linkExpiredTitle, t.linkExpired]],
  used: [410, (t) => [t.linkUsedTitle, t.linkUsed]],
  not_pending: [410, (t) => [t.linkNotPendingTitle, t.linkNotPending]],
};

const CALLBACK_PROBLEMS: Record<CallbackProblem, [number, (t: Messages) => [string, string]]> = {
  unknown_state: [400, (t) => [t.unknownSignInTitle, t.unknownSignIn]],
  used_state: [400, (t) => [t.usedSignInTitle, t.usedSignIn]],
  expired: [410, (t) => [t.linkExpiredTitle, t.signInExpired]],
  other_browser: [400, (t) => [t.otherBrowserTitle, t.otherBrowser]],
};

/** A form over the body limit (checked in front of every route, see app.ts), as a page a person can read. */
export const connectTooLarge = (c: Context, branding: Deps['config']['branding']) => {
  const view = pageView(c, branding);
  return sendPage(c, 413, problemPage(view, view.t.formTooLargeTitle, view.t.formTooLarge));
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
  const view = (c: Context<AppEnv>) => pageView(c, branding);

  /** The way back to the app after a link ended without connecting, when the link has a callback_url. */
  const backToApp = (v: View, link: OpenLink['link'] | undefined) => {
    const href = link && appCallbackUrl(link, 'failed');
    return href ? { href, label: v.t.backTo(branding.appTitle) } : undefined;
  };

  const troublePage = (c: Context<AppEnv>, trouble: LinkTrouble) => {
    const v = view(c);
    const [status, words] = LINK_PROBLEMS[trouble.problem];
    const [title, message] = words(v.t);
    const logo = trouble.toolkit && toolkitLogo(trouble.toolkit);
    // back to the app only from a link that expired unused: a used link's account may well be ACTIVE,
    // and telling the app `status=failed` for it would be wrong
    const next = trouble.problem === 'expired' ? backToApp(v, trouble.link) : undefined;
    return sendPage(c, status, statusPage(v, { tone: 'warning', title, message, logo, next }));
  };

  const finish = (c: Context<AppEnv>, outcome: FlowOutcome) => {
    if (outcome.status === 'verifying' || outcome.redirectTo) return c.redirect(outcome.redirectTo!, 303);
    const v = view(c);
    const toolkit = outcome.toolkit;
    if (outcome.status === 'success')
      return sendPage(
        c,
        200,
        statusPage(v, { tone: 'success', title: v.t.connected(toolkit.name), message: v.t.connectedBody, logo: toolkitLogo(toolkit) }),
      );
    // what went wrong at the provider is the operator's to read (and the account's status_reason); the person gets plain words
    deps.log.warn({ connectedAccountId: outcome.account.id, toolkit: toolkit.slug, reason: outcome.reason }, 'connect link failed');
    return sendPage(
      c,
      400,
      statusPage(v, {
        tone: 'failure',
        title: v.t.notConnected(toolkit.name),
        message: outcome.denied ? v.t.denied(toolkit.name) : v.t.providerError(toolkit.name),
        logo: toolkitLogo(toolkit),
      }),
    );
  };

  const showForm = (c: Context<AppEnv>, open: OpenLink, status: number, error?: string) => {
    const csrfToken = issueCsrfToken(c, `/link/${c.req.param('token')}`, secure);
    const v = view(c);
    const toolkit = open.toolkit;
    const shape = linkPage(open);
    const oauth = shape.redirect;
    const fields = shape.fields;
    const intro = !oauth
      ? v.t.introCredentials(toolkit.name)
      : fields.length > 0
        ? v.t.introWorkspace(toolkit.name)
        : v.t.introSignIn(toolkit.name);
    // the answer to this form redirects to the provider (OAuth), then to the app's verifier or callback_url
    const targets = [
      ...(shape.redirectTo ? [redirectSource(shape.redirectTo)] : []),
      ...(open.link.callbackUrl ? [new URL(open.link.callbackUrl).origin] : []),
      ...verifierFormTargets(deps),
    ];
    const hosted: HostedPage = connectPage(v, {
      toolkitName: toolkit.name,
      logo: toolkitLogo(toolkit),
      action: `/link/${c.req.param('token')}`,
      csrfToken,
      fields,
      error,
      intro,
      userId: open.account.userId,
      submit: oauth && fields.length === 0 ? 'continue' : 'connect',
    });
    return sendPage(c, status, hosted, targets);
  };

  /** The sign-in could not start: an operator's missing OAuth app, or a provider that did not answer (OAuth 1.0a's first step). */
  const notStarted = (c: Context<AppEnv>, open: OpenLink, error: AppError) => {
    deps.log.warn(
      { connectedAccountId: open.account.id, toolkit: open.toolkit.slug, reason: error.message },
      'connect link could not start',
    );
    const v = view(c);
    const name = open.toolkit.name;
    const [title, message] =
      error.code === 'OPERATOR_APP_MISSING'
        ? [v.t.notConfiguredTitle, v.t.notConfigured(branding.appTitle, name)]
        : [v.t.signInNotStartedTitle, v.t.signInNotStarted(name)];
    return sendPage(
      c,
      502,
      statusPage(v, { tone: 'failure', title, message, logo: toolkitLogo(open.toolkit), next: backToApp(v, open.link) }),
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
    if (isLinkTrouble(open)) return troublePage(c, open);
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
      if (isLinkTrouble(open)) return troublePage(c, open);
      const form = await readPageForm(c, branding);
      if (form instanceof Response) return form;
      if (!csrfTokenMatches(c, form.csrf_token)) {
        const v = view(c);
        return sendPage(c, 403, problemPage(v, v.t.formExpiredTitle, v.t.formExpired));
      }
      try {
        if (isRedirectLink(open)) return await redirectToProvider(c, await saveConnectionFields(deps, open, form));
        return finish(c, await completeWithForm(deps, open, form));
      } catch (error) {
        if (error instanceof AppError && (error.code === 'VALIDATION_FAILED' || error.code === 'CREDENTIALS_REJECTED'))
          return showForm(c, open, 400, error.message);
        if (error instanceof AppError && isRedirectLink(open)) return notStarted(c, open, error);
        throw error;
      }
    },
  );

  router.get('/api/v3/toolkits/auth/callback', async (c) => {
    c.header('Cache-Control', 'no-store');
    const outcome = await completeCallback(deps, new URL(c.req.url), (linkId) => getCookie(c, flowCookie(linkId)));
    if (typeof outcome === 'string') {
      const v = view(c);
      const [status, words] = CALLBACK_PROBLEMS[outcome];
      const [title, message] = words(v.t);
      return sendPage(c, status, problemPage(v, title, message));
    }
    return finish(c, outcome);
  });

  return router;
}
