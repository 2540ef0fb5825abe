import type { Deps } from '../deps.ts';

/** Where providers send the browser back: Composio's path, on this server's public origin. */
export function callbackUrl(deps: Deps): string {
  return `${deps.config.publicUrl}/api/v3/toolkits/auth/callback`;
}
