import { newValidatorCompiler } from '../../catalogue/input-validator.ts';
import type { Deps } from '../../deps.ts';
import { AppError } from '../../errors.ts';
import { checkArguments, type ToolResult } from '../../execution/execute.ts';
import type { ToolCallContext } from '../call-context.ts';
import type { SessionConfig } from '../config.ts';
import type { Session } from '../session.ts';
import { getToolSchemasTool } from './get-tool-schemas/index.ts';
import { manageConnectionsTool } from './manage-connections/index.ts';
import type { MetaTool } from './meta-tool.ts';
import { multiExecuteTool } from './multi-execute/index.ts';
import { proxyExecuteTool } from './proxy-execute/index.ts';
import { searchTool } from './search/index.ts';
import { waitForConnectionsTool } from './wait-for-connections/index.ts';

/** Every meta tool, in the order a session lists them. */
const META_TOOLS: readonly MetaTool[] = [
  searchTool,
  getToolSchemasTool,
  multiExecuteTool,
  manageConnectionsTool,
  waitForConnectionsTool,
  proxyExecuteTool,
];

// compiled once, at load: the schemas are constants, and so are these validators
const compile = newValidatorCompiler();
const validators = new Map(META_TOOLS.map((tool) => [tool.name, compile(tool.inputSchema)]));

/** The meta tools a session with this config lists (tools/list, `tool_router_tools`, session.tools()). */
export function metaToolsOf(config: SessionConfig): MetaTool[] {
  return META_TOOLS.filter((tool) => tool.listed(config));
}

export function isListedMetaTool(config: SessionConfig, name: string): boolean {
  return metaToolsOf(config).some((tool) => tool.name === name);
}

/**
 * Runs a meta tool by name, its arguments checked against its own JSON Schema first (a refusal is a
 * ToolInputError naming the field). Whether the session lists it is the caller's check.
 */
export async function runMetaTool(
  deps: Deps,
  session: Session,
  name: string,
  args: Record<string, unknown>,
  context: ToolCallContext,
): Promise<ToolResult> {
  const tool = META_TOOLS.find((t) => t.name === name);
  if (!tool) throw new AppError('TOOL_NOT_FOUND', { message: `${name} is not a meta tool.` });
  checkArguments(validators.get(name)!, name, args);
  return tool.run(deps, session, args, context);
}
