import type { ToolDefinition, ToolkitFile } from '../catalogue/schema.ts';
import { hasTag } from '../catalogue/tool-tags.ts';
import { CacheSlot, type Deps } from '../deps.ts';
import type { SessionConfig } from './config.ts';

/** The toolkits a session may use: the enabled list, or every toolkit but the disabled ones. */
export function sessionToolkits(deps: Deps, config: SessionConfig): ToolkitFile[] {
  const { enabled, disabled } = config.toolkits;
  return deps.catalogue.toolkits.filter((t) => (enabled ? enabled.includes(t.slug) : true) && !(disabled ?? []).includes(t.slug));
}

function tagAllowed(tool: ToolDefinition, tags: { enabled?: string[]; disabled?: string[] } | undefined): boolean {
  if (!tags) return true;
  if (tags.enabled && tags.enabled.length > 0 && !tags.enabled.some((t) => hasTag(tool, t))) return false;
  return !(tags.disabled ?? []).some((t) => hasTag(tool, t));
}

export type SessionToolList = Array<{ toolkit: ToolkitFile; tool: ToolDefinition }>;

/**
 * A value that depends only on the app's (immutable) catalogue and a session config, computed once per
 * config object of this app: the sessions repo hands every request of a session the same config object (ParsedJsonCache).
 */
export function derivedFromConfig<T>(compute: (deps: Deps, config: SessionConfig) => T): (deps: Deps, config: SessionConfig) => T {
  const slot = new CacheSlot(`derived from session configs: ${compute.name || 'value'}`, () => new WeakMap<SessionConfig, T>());
  return (deps, config) => {
    const byConfig = deps.caches.get(slot);
    let value = byConfig.get(config);
    if (value === undefined) byConfig.set(config, (value = compute(deps, config)));
    return value;
  };
}

/** The toolkit tools a session exposes, after its toolkit, tool and tag filters. */
export const sessionTools = derivedFromConfig(computeSessionTools);

function computeSessionTools(deps: Deps, config: SessionConfig): SessionToolList {
  const out: Array<{ toolkit: ToolkitFile; tool: ToolDefinition }> = [];
  for (const toolkit of sessionToolkits(deps, config)) {
    const filter = config.tools[toolkit.slug];
    for (const tool of toolkit.tools) {
      if (filter?.enabled && !filter.enabled.includes(tool.slug)) continue;
      if (filter?.disabled?.includes(tool.slug)) continue;
      if (!tagAllowed(tool, config.tags) || !tagAllowed(tool, filter?.tags)) continue;
      out.push({ toolkit, tool });
    }
  }
  return out;
}

/** The session's tool definitions as a set: whether a tool is the session's, asked on every call, in constant time. */
export const sessionToolSet = derivedFromConfig((deps, config) => new Set(sessionTools(deps, config).map(({ tool }) => tool)));

/**
 * The toolkit tools a session lists directly (tools/list, session.tools()): only those preloaded. The
 * rest stay reachable through the meta tools (COMPOSIO_SEARCH_TOOLS finds them,
 * COMPOSIO_MULTI_EXECUTE_TOOL runs them), so an agent does not pay for the whole catalogue up front.
 */
export const preloadedTools = derivedFromConfig((deps, config): SessionToolList => {
  const preload = config.preload ?? [];
  const all = sessionTools(deps, config);
  return preload === 'all' ? all : all.filter(({ tool }) => preload.includes(tool.slug));
});

export const preloadedSlugs = derivedFromConfig((deps, config) => new Set(preloadedTools(deps, config).map(({ tool }) => tool.slug)));
