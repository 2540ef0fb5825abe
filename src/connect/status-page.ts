import { html } from 'hono/html';
import { stateIcon, type Tone } from './icons.ts';
import type { Logo } from './logos.ts';
import { page, type View } from './pages.ts';

export interface StatusOptions {
  tone: Tone;
  title: string;
  message: string;
  /** the toolkit the page is about, when there is one */
  logo?: Logo;
  /** a technical detail the person may pass on (an OAuth client's error); never the operator's configuration */
  detail?: string;
  /** where the person goes next: the app (a link's callback_url); without it, they are told they can close the tab */
  next?: { href: string; label: string };
}

/**
 * A page that tells how something ended: success, failure or a problem with the link, with an icon
 * and the words in a status region (announced by screen readers), and one way onward.
 */
export function statusPage(view: View, o: StatusOptions) {
  return page(view, {
    title: o.title,
    logo: o.logo,
    body: html`<div role="status" class="centered">
        ${stateIcon(o.tone)}
        <h1>${o.title}</h1>
        <p>${o.message}</p>
      </div>
      ${o.detail ? html`<p class="hint">${view.t.details} <code>${o.detail}</code></p>` : ''}
      ${o.next ? html`<a class="button" href="${o.next.href}">${o.next.label}</a>` : html`<p class="close">${view.t.close}</p>`}`,
  });
}

/** A problem page with a title and a sentence from the message table, nothing more. */
export const problemPage = (view: View, title: string, message: string) => statusPage(view, { tone: 'warning', title, message });
