import type { Deps } from '../../deps.ts';
import { sessionConfigToWire } from '../../sessions/config.ts';
import type { MetaTool } from '../../sessions/meta-tools/meta-tool.ts';
import { metaToolsOf } from '../../sessions/meta-tools/registry.ts';
import { mcpUrl } from '../../sessions/mcp-url.ts';
import type { Session } from '../../sessions/session.ts';
import { sessionWarnings } from '../../sessions/warnings.ts';

/** Sessions and their meta tools → Composio's wire shapes. */

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
