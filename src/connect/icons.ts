import { html } from 'hono/html';

/**
 * The state icons of the hosted pages, inline SVG (no request, nothing for the CSP to allow). They are
 * decorative: the heading next to each says the same in words, so screen readers skip them.
 */
export type Tone = 'success' | 'failure' | 'warning' | 'ask';

const PATHS: Record<Tone, string> = {
  // a tick, a cross, an exclamation mark, a question mark, each in a circle
  success: 'M9 12.5l2 2 4-4.5',
  failure: 'M9 9l6 6M15 9l-6 6',
  warning: 'M12 7.5v5.5M12 16.5v.01',
  ask: 'M9.5 9.5a2.5 2.5 0 1 1 3.5 2.3c-.6.3-1 .9-1 1.6v.4M12 16.8v.01',
};

export const stateIcon = (tone: Tone) =>
  html`<svg class="state ${tone}" viewBox="0 0 24 24" width="40" height="40" aria-hidden="true" focusable="false"><circle cx="12" cy="12" r="10" fill="none" stroke="currentColor" stroke-width="1.8"/><path d="${PATHS[tone]}" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" stroke-linejoin="round"/></svg>`;
