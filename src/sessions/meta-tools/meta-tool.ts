import type { Deps } from '../../deps.ts';
import type { ToolResult } from '../../execution/execute.ts';
import type { ToolCallContext } from '../call-context.ts';
import type { SessionConfig } from '../config.ts';
import type { Session } from '../session.ts';

/**
 * One of Composio's meta tools, in its own folder: what a session lists (name, description, JSON
 * Schema, MCP annotations) and what runs it. `run` gets arguments already checked against
 * `inputSchema` (registry.ts) and returns the envelope `{data, error, successful}`; MCP and REST only
 * wrap it. Adding one is a folder here and a line in registry.ts.
 */
export interface MetaTool {
  name: string;
  description: string;
  inputSchema: Record<string, unknown>;
  annotations: Record<string, boolean>;
  /** whether a session with this config lists it */
  listed(config: SessionConfig): boolean;
  /** `context`: the user's answers this request carries, and where the tool's calls leave their questions */
  run(deps: Deps, session: Session, args: Record<string, unknown>, context: ToolCallContext): Promise<ToolResult> | ToolResult;
}

export const stringList = (description: string, extra: Record<string, unknown> = {}) => ({
  type: 'array',
  items: { type: 'string' },
  description,
  ...extra,
});

export function ok(data: Record<string, unknown>): ToolResult {
  return { data, error: null, successful: true };
}
