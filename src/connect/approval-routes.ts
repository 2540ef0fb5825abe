import { Hono, type Context } from 'hono';
import { csrf } from 'hono/csrf';
import type { Deps } from '../deps.ts';
import type { AppEnv } from '../http/env.ts';
import { answerApproval, approvalByToken } from '../sessions/approvals.ts';
import { csrfTokenMatches, issueCsrfToken } from './csrf-token.ts';
import { readPageForm } from './page-form.ts';
import { approvalForm, contentSecurityPolicy, messagePage } from './pages.ts';

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

  const render = (c: Context<AppEnv>, status: number, body: ReturnType<typeof messagePage>) => {
    c.header('Cache-Control', 'no-store');
    c.header('Content-Security-Policy', contentSecurityPolicy(branding));
    return c.html(body, status as 200);
  };
  const gone = (c: Context<AppEnv>) =>
    render(c, 404, messagePage(branding, 'Approval not found', 'This approval link does not exist. Ask your assistant again.'));
  const expired = (c: Context<AppEnv>) =>
    render(c, 410, messagePage(branding, 'Approval expired', 'This approval waited more than 10 minutes. Ask your assistant again.'));
  const answered = (c: Context<AppEnv>, status: 'APPROVED' | 'REFUSED', now: boolean) =>
    render(
      c,
      now ? 200 : 409,
      status === 'APPROVED'
        ? messagePage(branding, now ? 'Approved' : 'Already approved', 'Return to the chat: your assistant can run it now.')
        : messagePage(branding, now ? 'Refused' : 'Already refused', 'Your assistant will not run it.'),
    );

  return new Hono<AppEnv>()
    .get('/approve/:token', async (c) => {
      const view = await approvalByToken(deps, c.req.param('token'));
      if (!view) return gone(c);
      if (view.approval.status !== 'PENDING') return answered(c, view.approval.status, false);
      if (view.expired) return expired(c);
      const action = `/approve/${c.req.param('token')}`;
      const catalogue = deps.catalogue.tool(view.approval.toolSlug);
      return render(
        c,
        200,
        approvalForm(branding, {
          toolName: catalogue?.tool.name ?? view.approval.toolSlug,
          toolkitName: catalogue?.toolkit.name ?? view.approval.toolkitSlug,
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
          return render(c, 403, messagePage(branding, 'Form expired', 'This form could not be verified. Reload the page and try again.'));
        }
        if (form.decision !== 'approve' && form.decision !== 'refuse') {
          return render(c, 400, messagePage(branding, 'No answer', 'Choose Approve or Refuse.'));
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
