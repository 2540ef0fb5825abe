import { html } from 'hono/html';
import type { FieldDefinition } from '../catalogue/schema.ts';
import type { Logo } from './logos.ts';
import { page, type View } from './pages.ts';

export interface LinkPageOptions {
  toolkitName: string;
  logo: Logo;
  action: string;
  csrfToken: string;
  fields: FieldDefinition[];
  error?: string;
  intro: string;
  /** whose account this becomes: said before anything is typed or anyone is sent to the provider */
  userId: string;
  /** 'continue': a sign-in at the provider with nothing to ask first (the button says Continue) */
  submit: 'continue' | 'connect';
}

/**
 * The Connect Link page: who asks (the app) for which account (the toolkit, its logo) and for whom
 * (the user's label, so a person sent someone else's link sees it is not theirs), then the scheme's
 * fields or a Continue to the provider. Every input has its label; the hint is tied to it by
 * aria-describedby; a refused attempt is an alert above the form.
 */
export function connectPage(view: View, o: LinkPageOptions) {
  const { t, branding } = view;
  return page(view, {
    title: t.connectTitle(o.toolkitName),
    logo: o.logo,
    body: html`<h1>${t.wantsToConnect(branding.appTitle, o.toolkitName)}</h1>
      <p class="who">${t.forUser} <strong>${o.userId}</strong>${t.notYou}</p>
      <p>${o.intro}</p>
      ${o.error ? html`<p class="error" role="alert">${o.error}</p>` : ''}
      <form method="post" action="${o.action}" autocomplete="off">
        <input type="hidden" name="csrf_token" value="${o.csrfToken}" />
        ${o.fields.map(
          (field) => html`<label for="f_${field.name}">${field.display_name}</label>
            <input
              id="f_${field.name}"
              name="${field.name}"
              type="${field.secret ? 'password' : 'text'}"
              ${field.required ? html`required aria-required="true"` : ''}
              ${field.description ? html`aria-describedby="h_${field.name}"` : ''}
              value="${field.secret ? '' : (field.default ?? '')}"
            />
            ${field.description ? html`<div class="hint" id="h_${field.name}">${field.description}</div>` : ''}`,
        )}
        ${
          o.submit === 'continue'
            ? html`<button class="button" type="submit" name="step" value="continue">${t.continue}</button>`
            : html`<button class="button" type="submit">${t.connect}</button>`
        }
      </form>`,
  });
}
