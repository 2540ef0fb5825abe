import { z } from 'zod';
import type { Deps } from '../deps.ts';
import { AppError } from '../errors.ts';

/**
 * Custom tools (`experimental.custom_tools` / `custom_toolkits` on session create) are functions in the
 * app's process: the SDK runs them itself. What it needs from the server is the slug each one answers
 * to (`experimental` of the create answer, with `original_slug`); it routes calls to those slugs to the
 * local function (@composio/core `buildCustomToolsMapFromResponse`) and sends any other call here.
 * Composio's naming: `LOCAL_<TOOL>` for a standalone tool, `LOCAL_<TOOLKIT>_<TOOL>` for one that extends
 * a toolkit or belongs to a custom toolkit, at most 60 characters. latchkey only names them: its search
 * and MCP endpoint do not offer them (an MCP client could not run them anyway).
 */
const MAX_SLUG = 60;
const PREFIX = 'LOCAL_';

const slug = z
  .string()
  .regex(/^[A-Za-z0-9_-]+$/, 'letters, digits, _ and - only')
  .max(MAX_SLUG);
const jsonSchema = z.record(z.string(), z.unknown());
const toolShape = {
  slug,
  name: z.string().max(200),
  description: z.string().max(10_000),
  input_schema: jsonSchema,
  output_schema: jsonSchema.optional(),
  preload: z.boolean().optional(),
};
/** `experimental` of a session create request, as far as custom tools go. */
export const customToolsWire = z
  .object({
    custom_tools: z
      .array(z.object({ ...toolShape, extends_toolkit: z.string().max(100).optional() }).passthrough())
      .max(100)
      .optional(),
    custom_toolkits: z
      .array(
        z
          .object({
            slug,
            name: z.string().max(200),
            description: z.string().max(10_000),
            tools: z.array(z.object(toolShape).passthrough()).max(100),
          })
          .passthrough(),
      )
      .max(50)
      .optional(),
  })
  .passthrough();

function invalid(field: string, message: string): AppError {
  return new AppError('VALIDATION_FAILED', { message: `${field}: ${message}`, errors: [{ field, message }] });
}

/**
 * The create answer's `experimental` part for a request's custom tools (undefined when it had none).
 * A tool naming an unknown toolkit, or two tools with one final slug, is a 400 naming the tool.
 */
export function customToolsAnswer(deps: Deps, request: z.infer<typeof customToolsWire>) {
  const seen = new Set<string>();
  const named = (field: string, original: string, toolkit?: string) => {
    if (original.toUpperCase().startsWith(PREFIX)) throw invalid(field, `${original}: the ${PREFIX} prefix is added by the server`);
    const final = `${PREFIX}${toolkit ? `${toolkit.toUpperCase()}_` : ''}${original.toUpperCase()}`;
    if (final.length > MAX_SLUG) throw invalid(field, `${final} is longer than ${MAX_SLUG} characters`);
    if (seen.has(final)) throw invalid(field, `${final} is defined twice`);
    seen.add(final);
    return final;
  };
  const tools = (request.custom_tools ?? []).map((tool, i) => {
    const field = `experimental.custom_tools.${i}`;
    if (tool.extends_toolkit && !deps.catalogue.toolkit(tool.extends_toolkit))
      throw invalid(`${field}.extends_toolkit`, `unknown toolkit ${tool.extends_toolkit}`);
    return { ...tool, slug: named(field, tool.slug, tool.extends_toolkit), original_slug: tool.slug };
  });
  const toolkits = (request.custom_toolkits ?? []).map((toolkit, i) => ({
    ...toolkit,
    tools: toolkit.tools.map((tool, j) => ({
      ...tool,
      slug: named(`experimental.custom_toolkits.${i}.tools.${j}`, tool.slug, toolkit.slug),
      original_slug: tool.slug,
    })),
  }));
  if (tools.length + toolkits.length === 0) return undefined;
  return { ...(tools.length ? { custom_tools: tools } : {}), ...(toolkits.length ? { custom_toolkits: toolkits } : {}) };
}
