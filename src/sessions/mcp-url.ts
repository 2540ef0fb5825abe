import type { Deps } from '../deps.ts';
import { isLoopbackHost } from '../execution/address-policy.ts';

/**
 * The MCP URL of a session answer. Composio's SDK puts its API key into `session.mcp.headers` only when
 * this URL has exactly the origin of the base URL it called (@composio/core lib/toolRouterMcp.ts), and
 * `http://localhost:8787` and `http://127.0.0.1:8787` are different origins. So when the operator set no
 * LATCHKEY_PUBLIC_URL and the request came in on a loopback origin, the URL is built on that origin: a
 * client on this machine gets it on the origin it uses, whichever name it uses. A non-loopback origin
 * (a Host header anyone can send) never goes into an answer, and Connect Links and OAuth redirect URIs
 * always use the public URL, so what the operator registers with a provider never changes.
 */
export function mcpUrl(deps: Deps, sessionId: string, requestOrigin?: string): string {
  return `${answerBase(deps, requestOrigin)}/tool_router/${sessionId}/mcp`;
}

/** The base of a URL an API answer hands out for this request (see mcpUrl). */
export function answerBase(deps: Deps, requestOrigin?: string): string {
  if (!deps.config.publicUrlExplicit && requestOrigin && URL.canParse(requestOrigin)) {
    const origin = new URL(requestOrigin);
    if (origin.protocol === 'http:' && isLoopbackHost(origin.hostname)) return origin.origin;
  }
  return deps.config.publicUrl;
}
