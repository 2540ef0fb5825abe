import type { ToolkitFile } from '../../src/catalogue/schema.ts';

/**
 * A toolkit file of one read-only tool `KIT_X` with no auth, for unit tests of how a tool's request is
 * built and linted; `tool` overrides the tool's fields, `extra` the toolkit's.
 */
export function oneToolKit(tool: Record<string, unknown>, extra: Partial<ToolkitFile> = {}): ToolkitFile {
  return {
    slug: 'kit',
    name: 'Kit',
    description: 'kit',
    base_url: 'https://api.example.com/v1',
    auth_schemes: [{ mode: 'NO_AUTH' }],
    tools: [
      {
        slug: 'KIT_X',
        name: 'x',
        description: 'x',
        tags: ['readOnlyHint'],
        input_parameters: { type: 'object', properties: {} },
        source: { docs: 'https://docs.example.com/api' },
        ...tool,
      },
    ],
    ...extra,
  } as unknown as ToolkitFile;
}
