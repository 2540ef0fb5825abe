import { html } from 'hono/html';
import { stateIcon } from './icons.ts';
import type { Logo } from './logos.ts';
import { page, type View } from './pages.ts';

export interface ApprovalQuestion {
  toolName: string;
  toolkitName: string;
  logo: Logo;
  userId: string;
  arguments: unknown;
  /** whether a yes holds for the rest of the session, not just this call */
  forSession: boolean;
  action: string;
  csrfToken: string;
}

/** The approval page: what the assistant wants to run, for whom, with which arguments, and a yes or a no. */
export function approvalPage(view: View, q: ApprovalQuestion) {
  const { t } = view;
  return page(view, {
    title: t.approveTitle(q.toolName),
    logo: q.logo,
    body: html`<div class="centered">${stateIcon('ask')}<h1>${t.approveTitle(q.toolName)}</h1></div>
      <p>${t.approveIntro}</p>
      <dl>
        <dt>${t.tool}</dt><dd>${q.toolName}</dd>
        <dt>${t.service}</dt><dd>${q.toolkitName}</dd>
        <dt>${t.user}</dt><dd>${q.userId}</dd>
      </dl>
      <p id="args-label">${t.withArguments}</p>
      <pre tabindex="0" aria-labelledby="args-label">${JSON.stringify(q.arguments, null, 2)}</pre>
      <p class="hint">${q.forSession ? t.forSession(q.toolName) : t.once}</p>
      <form method="post" action="${q.action}">
        <input type="hidden" name="csrf_token" value="${q.csrfToken}" />
        <button class="button" type="submit" name="decision" value="approve">${t.approve}</button>
        <button class="button secondary" type="submit" name="decision" value="refuse">${t.refuse}</button>
      </form>`,
  });
}
