import type { Deps } from '../../deps.ts';
import { isLoopbackHost } from '../../execution/address-policy.ts';
import { sessionConfigToWire } from '../../sessions/config.ts';
import type { MetaTool } from '../../sessions/meta-tools/meta-tool.ts';
import { metaToolsOf } from '../../sessions/meta-tools/registry.ts';
import type { Session } from '../../sessions/session.ts';
import { sessionWarnings } from '../../sessions/warnings.ts';

/** Sessions and their meta tools → Composio's wire shapes. */

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
  let base = deps.config.publicUrl;
  if (!deps.config.publicUrlExplicit && requestOrigin && URL.canParse(requestOrigin)) {
    const origin = new URL(requestOrigin);
    if (origin.protocol === 'http:' && isLoopbackHost(origin.hostname)) base = origin.origin;
  }
  return `${base}/tool_router/${sessionId}/mcp`;
}

export function sessionWire(deps: Deps, session: Session, token: string, requestOrigin?: string) {
  const warnings = sessionWarnings(deps, session.config);
  return {
    session_id: session.id,
    mcp: { type: 'http' as const, url: mcpUrl(deps, session.id, requestOrigin), headers: { 'x-session-token': token } },
    tool_router_tools: metaToolsOf(session.config).map((tool) => tool.name),
    config: sessionConfigToWire(session.config),
    config_version: session.configVersion,
    ...(warnings.length > 0 ? { warnings } : {}),
  };
}

/** A meta tool as Composio lists it among a session's tools (`session.tools()`). */
export function metaToolWire(tool: MetaTool) {
  return {
    slug: tool.name,
    name: tool.name,
    description: tool.description,
    toolkit: { slug: 'composio', name: 'Composio', logo: '' },
    input_parameters: tool.inputSchema,
    output_parameters: { type: 'object', properties: {} },
    no_auth: true,
    available_versions: ['00000000_00'],
    version: '00000000_00',
    scopes: [],
    tags: Object.keys(tool.annotations),
    is_deprecated: false,
    deprecated: {
      version: '00000000_00',
      available_versions: ['00000000_00'],
      displayName: tool.name,
      is_deprecated: false,
      toolkit: { logo: '' },
    },
  };
}
