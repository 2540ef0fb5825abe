import type { Deps } from '../../../deps.ts';
import type { ToolResult } from '../../../execution/execute.ts';
import type { Session } from '../../session.ts';
import { sessionTools } from '../../tool-lists.ts';
import { ok, stringList, type MetaTool } from '../meta-tool.ts';

function schemasTool(deps: Deps, session: Session, args: Record<string, unknown>): ToolResult {
  const slugs = args.tool_slugs as string[];
  const available = new Map(sessionTools(deps, session.config).map((e) => [e.tool.slug, e]));
  const withOutput = Array.isArray(args.include) && args.include.includes('output_schema');
  const toolSchemas: Record<string, unknown> = {};
  const notFound: string[] = [];
  for (const slug of slugs) {
    const entry = available.get(slug.toUpperCase());
    if (!entry) notFound.push(slug);
    else
      toolSchemas[entry.tool.slug] = {
        toolkit: entry.toolkit.slug,
        tool_slug: entry.tool.slug,
        description: entry.tool.description,
        input_schema: entry.tool.input_parameters,
        ...(withOutput && entry.tool.output_parameters ? { output_schema: entry.tool.output_parameters } : {}),
      };
  }
  return ok({
    success: notFound.length === 0,
    tool_schemas: toolSchemas,
    ...(notFound.length ? { not_found: notFound, not_found_message: `Unknown in this session: ${notFound.join(', ')}` } : {}),
  });
}

export const getToolSchemasTool: MetaTool = {
  name: 'COMPOSIO_GET_TOOL_SCHEMAS',
  description: 'Get the full input schema of tools by slug, before calling them.',
  inputSchema: {
    type: 'object',
    properties: {
      tool_slugs: stringList('Tool slugs', { minItems: 1, maxItems: 50 }),
      include: stringList('input_schema and/or output_schema'),
    },
    required: ['tool_slugs'],
  },
  annotations: { readOnlyHint: true },
  listed: () => true,
  run: schemasTool,
};
