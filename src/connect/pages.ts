import { createHash } from 'node:crypto';
import { html, raw } from 'hono/html';
import type { HtmlEscapedString } from 'hono/utils/html';
import type { FieldDefinition } from '../catalogue/schema.ts';
import type { Config } from '../config.ts';

/**
 * The hosted Connect pages: plain server-rendered HTML through hono's `html` template, which escapes
 * every interpolated value (toolkit names, field labels, error text) so nothing a toolkit file or a
 * user typed can inject markup.
 */
type Body = HtmlEscapedString | Promise<HtmlEscapedString>;

const STYLE_TEXT = `
  body{font-family:system-ui,-apple-system,Segoe UI,sans-serif;background:#f6f7f9;color:#1d2330;margin:0}
  main{max-width:420px;margin:8vh auto;background:#fff;border-radius:12px;padding:32px;box-shadow:0 2px 12px rgba(0,0,0,.08)}
  h1{font-size:1.3rem;margin:0 0 8px} p{line-height:1.5} .brand{display:flex;gap:10px;align-items:center;margin-bottom:20px;color:#5b6474}
  .brand img{height:28px} label{display:block;margin:14px 0 4px;font-weight:600} input{width:100%;box-sizing:border-box;padding:9px;border:1px solid #c9ced6;border-radius:6px;font-size:1rem}
  button{margin-top:20px;width:100%;padding:11px;border:0;border-radius:6px;background:#2f5bea;color:#fff;font-size:1rem;cursor:pointer}
  .hint{color:#5b6474;font-size:.85rem;margin-top:4px} .error{background:#fdecec;color:#8a1c1c;padding:10px;border-radius:6px}
  pre{background:#f1f3f6;padding:10px;border-radius:6px;overflow:auto;max-height:40vh;font-size:.85rem;white-space:pre-wrap;word-break:break-word}
  button.secondary{background:#fff;color:#8a1c1c;border:1px solid #c9ced6}
`;
const STYLE = raw(STYLE_TEXT);
const STYLE_HASH = `'sha256-${createHash('sha256').update(STYLE_TEXT).digest('base64')}'`;

/**
 * The Content-Security-Policy of every hosted page (CSP Level 3): nothing loads but our one inline
 * style (by hash, not 'unsafe-inline') and the configured logo; no script at all; no framing
 * (clickjacking a credentials form); forms post only to us. `formTargets` are the sources a form's
 * answer may redirect to: Chromium checks form-action on every redirect that follows a submission
 * (CSP Level 3, form-action), so a form whose answer sends the browser on to the provider or to the
 * app's callback must name them.
 */
export function contentSecurityPolicy(branding: Config['branding'], formTargets: string[] = []): string {
  return [
    "default-src 'none'",
    `style-src ${STYLE_HASH}`,
    branding.logoUrl ? `img-src ${new URL(branding.logoUrl).origin}` : null,
    `form-action ${["'self'", ...new Set(formTargets)].join(' ')}`,
    "frame-ancestors 'none'",
    "base-uri 'none'",
  ]
    .filter(Boolean)
    .join('; ');
}

export function page(branding: Config['branding'], title: string, body: Body) {
  return html`<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <meta name="referrer" content="no-referrer" />
    <title>${title} · ${branding.appTitle}</title>
    <style>${STYLE}</style>
  </head>
  <body>
    <main>
      <div class="brand">${branding.logoUrl ? html`<img src="${branding.logoUrl}" alt="" />` : ''}<span>${branding.appTitle}</span></div>
      ${body}
    </main>
  </body>
</html>`;
}

export function messagePage(branding: Config['branding'], title: string, message: string) {
  return page(branding, title, html`<h1>${title}</h1><p>${message}</p>`);
}

export function successPage(branding: Config['branding'], toolkitName: string) {
  return messagePage(
    branding,
    `${toolkitName} is connected`,
    'You can close this window and return to the chat: your assistant can now use it.',
  );
}

export interface FormField {
  field: FieldDefinition;
  value?: string;
}

export function credentialsForm(
  branding: Config['branding'],
  options: {
    toolkitName: string;
    action: string;
    csrfToken: string;
    fields: FormField[];
    error?: string;
    intro: string;
    /** whose account this becomes: said before anything is typed or anyone is sent to the provider */
    userId: string;
    /** 'continue': a sign-in at the provider with nothing to ask first (the button says Continue) */
    submit: 'continue' | 'connect';
  },
) {
  return page(
    branding,
    `Connect ${options.toolkitName}`,
    html`<h1>Connect ${options.toolkitName}</h1>
      <p class="who">${branding.appTitle} is connecting a ${options.toolkitName} account for the user <strong>${options.userId}</strong>. If that is not you, close this page.</p>
      <p>${options.intro}</p>
      ${options.error ? html`<p class="error" role="alert">${options.error}</p>` : ''}
      <form method="post" action="${options.action}" autocomplete="off">
        <input type="hidden" name="csrf_token" value="${options.csrfToken}" />
        ${options.fields.map(
          ({ field, value }) => html`<label for="f_${field.name}">${field.display_name}</label>
            <input
              id="f_${field.name}"
              name="${field.name}"
              type="${field.secret ? 'password' : 'text'}"
              ${field.required ? 'required' : ''}
              value="${field.secret ? '' : (value ?? field.default ?? '')}"
            />
            ${field.description ? html`<div class="hint">${field.description}</div>` : ''}`,
        )}
        ${
          options.submit === 'continue'
            ? html`<button type="submit" name="step" value="continue">Continue</button>`
            : html`<button type="submit">Connect</button>`
        }
      </form>`,
  );
}

export interface ApprovalQuestion {
  toolName: string;
  toolkitName: string;
  userId: string;
  arguments: unknown;
  /** whether a yes holds for the rest of the session, not just this call */
  forSession: boolean;
  action: string;
  csrfToken: string;
}

/** The approval page: what the assistant wants to run, for whom, with which arguments, and a yes or a no. */
export function approvalForm(branding: Config['branding'], question: ApprovalQuestion) {
  const scope = question.forSession
    ? `A yes lets it use ${question.toolName} for the rest of this conversation.`
    : 'A yes runs this one call, once.';
  return page(
    branding,
    `Approve ${question.toolName}`,
    html`<h1>Allow ${question.toolName}?</h1>
      <p>Your assistant wants to run <strong>${question.toolName}</strong> (${question.toolkitName}) as <strong>${question.userId}</strong>, with:</p>
      <pre>${JSON.stringify(question.arguments, null, 2)}</pre>
      <p class="hint">${scope} Nothing runs unless you approve.</p>
      <form method="post" action="${question.action}">
        <input type="hidden" name="csrf_token" value="${question.csrfToken}" />
        <button type="submit" name="decision" value="approve">Approve</button>
        <button type="submit" name="decision" value="refuse" class="secondary">Refuse</button>
      </form>`,
  );
}
