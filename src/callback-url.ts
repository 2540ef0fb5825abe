import { z } from 'zod';

/**
 * Where a browser is sent once a connection finishes (the app's `callback_url`): an absolute http(s)
 * URL and nothing else, so no `javascript:`, `data:` or relative URL is ever stored or redirected to.
 * The one check for every input that takes one (links, initiate, a session's manage_connections).
 */
export function isCallbackUrl(value: string): boolean {
  if (!URL.canParse(value)) return false;
  const { protocol } = new URL(value);
  return protocol === 'https:' || protocol === 'http:';
}

/** The wire field; an empty string means "none", as Composio's SDK sometimes sends it. */
export const callbackUrlField = z
  .string()
  .max(2048)
  .refine((v) => v === '' || isCallbackUrl(v), 'must be an absolute http(s) URL');

/** Composio's contract: the app's callback URL keeps its own query and gains `status` and `connected_account_id`. */
export function connectionResultUrl(callbackUrl: string | null, accountId: string, status: 'success' | 'failed'): string | null {
  if (!callbackUrl) return null;
  const url = new URL(callbackUrl);
  url.searchParams.set('status', status);
  url.searchParams.set('connected_account_id', accountId);
  return url.href;
}
