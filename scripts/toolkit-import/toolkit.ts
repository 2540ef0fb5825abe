import type { z } from 'zod';
import type { toolkitSchema } from '../../src/catalogue/schema.ts';
import { authSchemes } from './auth.ts';
import { ImportError, type Warnings } from './errors.ts';
import type { Operation } from './operations.ts';
import { isSwagger2, type Spec } from './read-spec.ts';
import { buildTool, Unsupported } from './tool.ts';

/** A toolkit file as written (defaults left to the loader). */
export type ToolkitFile = z.input<typeof toolkitSchema>;
type Field = NonNullable<ToolkitFile['connection_fields']>[number];

const words = (text: string) => text.toLowerCase().match(/[a-z0-9]+/g) ?? [];

/** `Acme Tasks API` → `acmetasks`, as the built-in slugs are written (`googlecalendar`). */
export function slugFromTitle(title: string): string {
  return words(title)
    .filter((w) => w !== 'api')
    .join('');
}

/**
 * The base URL from the first server (OpenAPI 3.0.3 4.7.5), relative ones resolved against where the
 * document came from. A server variable with an `enum` takes its default (the operator may pick
 * another); one without is the user's (a tenant, a region): a connection field and a `{{placeholder}}`.
 */
function baseUrl(spec: Spec, source: string, override: string | undefined): { url: string; fields: Field[] } {
  if (override) return { url: override.replace(/\/+$/, ''), fields: [] };
  let template: string;
  const fields: Field[] = [];
  if (isSwagger2(spec)) {
    if (!spec.host) throw new ImportError('the document names no host: pass --base-url');
    template = `${spec.schemes?.includes('https') || !spec.schemes ? 'https' : spec.schemes[0]}://${spec.host}${spec.basePath ?? ''}`;
  } else {
    const server = spec.servers?.[0];
    if (!server?.url) throw new ImportError('the document names no server: pass --base-url');
    template = String(server.url).replace(/\{([^}]+)\}/g, (_, name: string) => {
      const variable = server.variables?.[name] ?? {};
      if (Array.isArray(variable.enum) || variable.default === undefined) return String(variable.default ?? '');
      const field = name
        .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
        .replace(/[^A-Za-z0-9]+/g, '_')
        .toLowerCase();
      fields.push({
        name: field,
        display_name: name,
        description: variable.description ?? `the ${name} of the account's URL (for example ${variable.default})`,
        type: 'string',
        secret: false,
        required: true,
      });
      return `{{${field}}}`;
    });
  }
  if (!/^https?:\/\//.test(template)) {
    if (!/^https?:\/\//.test(source)) throw new ImportError(`the server URL ${template} is relative: pass --base-url`);
    template = new URL(template, source).href;
  }
  return { url: template.replace(/\/+$/, ''), fields };
}

export interface ImportOptions {
  source: string;
  slug?: string;
  specId?: string;
  baseUrl?: string;
}

/** The spec id the tools name in `source.spec` (a key of tools/_specs.json). */
export function specIdOf(toolkit: ToolkitFile): string {
  const source = toolkit.tools[0]?.source;
  return source && 'spec' in source ? source.spec : toolkit.slug;
}

/** The toolkit file for the chosen operations; an operation the format cannot express stops the import, named with its reason. */
export function buildToolkit(spec: Spec, operations: Operation[], options: ImportOptions, warnings: Warnings): ToolkitFile {
  const title = String(spec.info?.title ?? '');
  const slug = options.slug ?? slugFromTitle(title);
  if (!/^[a-z0-9_]+$/.test(slug)) throw new ImportError(`cannot make a toolkit slug of the title "${title}": pass --slug`);
  const specId = options.specId ?? slug.replace(/_/g, '-');
  const prefix = slug.toUpperCase();
  const problems: string[] = [];
  const tools = operations.flatMap((op) => {
    try {
      return [buildTool(spec, prefix, specId, op)];
    } catch (error) {
      if (!(error instanceof Unsupported)) throw error;
      problems.push(`${op.id} (${error.message})`);
      return [];
    }
  });
  if (problems.length > 0) throw new ImportError(`unsupported: ${problems.join('; ')}; leave these operations out of --operations`);
  const { url, fields } = baseUrl(spec, options.source, options.baseUrl);
  const name = title.replace(/\s+API$/i, '').trim() || slug;
  const description =
    String(spec.info?.description ?? '')
      .split(/\n\s*\n/)[0]!
      .replace(/\s+/g, ' ')
      .trim() || `The ${name} API.`;
  return {
    slug,
    name,
    description,
    ...(spec.externalDocs?.url ? { docs_url: spec.externalDocs.url } : {}),
    base_url: url,
    ...(fields.length > 0 ? { connection_fields: fields } : {}),
    auth_schemes: authSchemes(
      spec,
      operations.map((o) => o.operation),
      warnings,
    ),
    tools,
  };
}
