import type { Deps } from '../deps.ts';
import type { SessionConfig } from './config.ts';
import { searchTool } from './meta-tools/search/index.ts';
import { preloadedTools } from './tool-lists.ts';

/** Composio's advice: "generally fewer than 20" preloaded tools; more get its warning. */
const PRELOAD_ADVISED_MAX = 20;

/** Warnings of a session answer, in domain words; the edge shapes them. */
export function sessionWarnings(deps: Deps, config: SessionConfig) {
  const count = preloadedTools(deps, config).length;
  if (count <= PRELOAD_ADVISED_MAX) return [];
  return [
    {
      code: 'PRELOAD_TOOLS_HIGH_CONTEXT_USAGE',
      message: `${count} tools are preloaded; each one's schema is sent to the model before it starts, which uses a large share of its context. Preload fewer than ${PRELOAD_ADVISED_MAX} and let the agent find the rest with ${searchTool.name}.`,
    },
  ];
}
