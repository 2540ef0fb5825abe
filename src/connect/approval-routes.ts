import { Hono, type Context } from 'hono';
import { csrf } from 'hono/csrf';
import type { Deps } from '../deps.ts';
import type { AppEnv } from '../http/env.ts';
import { answerApproval, approvalByToken } from '../sessions/approvals.ts';
import { csrfTokenMatches, issueCsrfToken } from './csrf-token.ts';
import { approvalPage } from './approval-page.ts';
import { initialBadge, toolkitLogo } from './logos.ts';
import type { Messages } from './messages/index.ts';
import { readPageForm } from './page-form.ts';
import { pageView, sendPage, type HostedPage } from './pages.ts';
import { problemPage, statusPage } from './status-page.ts';

/**
 * The approval page, `/approve/{token}`: where a person says yes or no to a call their assistant
 * wants to make, when their client can open a link (MCP URL elicitation) but not show a form, or the
 * app shows it (its API key lists a session's pending approvals). The token (190 bits, stored by hash
 * and sealed) is the authority, as a Connect Link's is: whoever holds the link can answer, so it goes
 * only to the user's client and the app, never into a tool result a model reads. The answer is a form
 * POST with an Origin check and a double-submit token, so another site cannot answer through the
 * user's browser.
 */
export function approvalRoutes(deps: Deps) {
  const branding = deps.config.branding;
  const secure = deps.config.publicUrl.startsWith('https:');
  const publicOrigin = new URL(deps.config.publicUrl).origin;

  const render = (c: Context<AppEnv>, status: number, hosted: HostedPage) => {
    c.header('Cache-Control', 'no-store');
    return sendPage(c, status, hosted);
  };
  const problem = (c: Context<AppEnv>, status: number, words: (t: Messages) => [string, string]) => {
    const v = pageView(c, branding);
    const [title, message] = words(v.t);
    return render(c, status, problemPage(v, title, message));
  };
  const gone = (c: Context<AppEnv>) => problem(c, 404, (t) => [t.approvalUnknownTitle, t.approvalUnknown]);
  const expired = (c: Context<AppEnv>) => problem(c, 410, (t) => [t.approvalExpiredTitle, t.approvalExpired]);
  const answered = (c: Context<AppEnv>, status: 'APPROVED' | 'REFUSED', now: boolean) => {
    const v = pageView(c, branding);
    const { t } = v;
    return render(
      c,
      now ? 200 : 409,
      status === 'APPROVED'
        ? statusPage(v, { tone: 'success', title: now ? t.approved : t.alreadyApproved, message: t.approvedBody })
        : statusPage(v, { tone: 'failure', title: now ? t.refused : t.alreadyRefused, message: t.refusedBody }),
    );
  };

  return new Hono<AppEnv>()
    .get('/approve/:token', async (c) => {
      const view = await approvalByToken(deps, c.req.param('token'));
      if (!view) return gone(c);
      if (view.approval.status !== 'PENDING') return answered(c, view.approval.status, false);
      if (view.expired) return expired(c);
      const action = `/approve/${c.req.param('token')}`;
      const catalogue = deps.catalogue.tool(view.approval.toolSlug);
      const toolkitName = catalogue?.toolkit.name ?? view.approval.toolkitSlug;
      return render(
        c,
        200,
        approvalPage(pageView(c, branding), {
          toolName: catalogue?.tool.name ?? view.approval.toolSlug,
          toolkitName,
          logo: catalogue ? toolkitLogo(catalogue.toolkit) : initialBadge(toolkitName),
          userId: view.userId,
          arguments: view.arguments,
          forSession: view.approval.scope === 'session',
          action,
          csrfToken: issueCsrfToken(c, action, secure),
        }),
      );
    })
    .post(
      '/approve/:token',
      csrf({ origin: (origin, c) => origin === publicOrigin || origin === new URL(c.req.url).origin }),
      async (c) => {
        const view = await approvalByToken(deps, c.req.param('token'));
        if (!view) return gone(c);
        if (view.approval.status !== 'PENDING') return answered(c, view.approval.status, false);
        if (view.expired) return expired(c);
        const form = await readPageForm(c, branding);
        if (form instanceof Response) return form;
        if (!csrfTokenMatches(c, form.csrf_token)) {
          return problem(c, 403, (t) => [t.formExpiredTitle, t.formExpired]);
        }
        if (form.decision !== 'approve' && form.decision !== 'refuse') {
          return problem(c, 400, (t) => [t.noAnswerTitle, t.noAnswer]);
        }
        const approved = form.decision === 'approve';
        if (!(await answerApproval(deps, view.approval, approved))) {
          const again = await approvalByToken(deps, c.req.param('token'));
          if (again && again.approval.status !== 'PENDING') return answered(c, again.approval.status, false);
          return expired(c);
        }
        return answered(c, approved ? 'APPROVED' : 'REFUSED', true);
      },
    );
}
