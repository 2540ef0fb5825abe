import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { ZodError } from 'zod';
import { newValidatorCompiler, type InputValidator } from './input-validator.ts';
import { lintToolkit } from './lint.ts';
import { Catalogue, type LoadedToolkit } from './catalogue.ts';
import { toolkitSchema, type ToolkitFile } from './schema.ts';
import { searchTerms } from './search-text.ts';

/** A toolkit file that cannot be used. Start-up stops with this message: the file, the path in it, what is wrong. */
export class CatalogueError extends Error {
  override name = 'CatalogueError';
}

function formatZodPath(path: PropertyKey[]): string {
  return (
    path.reduce<string>((out, key) => (typeof key === 'number' ? `${out}[${key}]` : out ? `${out}.${String(key)}` : String(key)), '') ||
    '(root)'
  );
}

function describeZodError(error: ZodError): Array<{ path: string; message: string }> {
  return error.issues.map((issue) => ({ path: formatZodPath(issue.path), message: issue.message }));
}

/** Problems as the start-up line shows them; one inside a tool names its slug beside its place: `tools[3] (GITHUB_X).tags`. */
function describeProblems(raw: unknown, problems: Array<{ path: string; message: string }>): string {
  const tools = (raw as { tools?: unknown } | null)?.tools;
  const slugAt = (i: string) => (Array.isArray(tools) ? (tools[Number(i)] as { slug?: unknown } | null)?.slug : undefined);
  const named = problems.map(({ path, message }) => {
    const where = path.replace(/^tools\[(\d+)\]/, (at, i: string) => (typeof slugAt(i) === 'string' ? `${at} (${slugAt(i)})` : at));
    return `${where}: ${message}`;
  });
  return `invalid toolkit\n  ${named.join('\n  ')}`;
}

function listToolkitFiles(dir: string): string[] {
  let entries: string[];
  try {
    if (!statSync(dir).isDirectory()) throw new CatalogueError(`toolkit folder ${dir} is not a directory`);
    entries = readdirSync(dir);
  } catch (error) {
    if (error instanceof CatalogueError) throw error;
    throw new CatalogueError(`toolkit folder ${dir} cannot be read: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  return entries
    .filter((name) => name.endsWith('.json') && !name.startsWith('_'))
    .sort()
    .map((name) => join(dir, name));
}

export function loadToolkitFile(file: string, compileInputValidator = newValidatorCompiler()): LoadedToolkit {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new CatalogueError(`${file}: not valid JSON: ${(error as Error).message}`);
  }
  const parsed = toolkitSchema.safeParse(raw);
  if (!parsed.success) {
    throw new CatalogueError(`${file}: ${describeProblems(raw, describeZodError(parsed.error))}`);
  }
  const problems = lintToolkit(parsed.data);
  const validators = new Map<string, InputValidator>();
  parsed.data.tools.forEach((tool, i) => {
    try {
      validators.set(tool.slug, compileInputValidator(tool.input_parameters));
    } catch (error) {
      problems.push({ path: `tools[${i}].input_parameters`, message: `not a valid JSON Schema: ${(error as Error).message}` });
    }
  });
  if (problems.length > 0) throw new CatalogueError(`${file}: ${describeProblems(raw, problems)}`);
  return { definition: parsed.data, file, validators };
}

/** A toolkit's slug, name and aliases as search sees them ("Google Calendar" and "google calendar" are one). */
function toolkitNames(toolkit: ToolkitFile): string[] {
  return [...new Set([toolkit.slug, toolkit.name, ...(toolkit.aliases ?? [])].map((n) => searchTerms(n).join(' ')).filter(Boolean))];
}

/**
 * Loads every `*.json` toolkit file of the given folders, in order; a later folder may not redefine a slug.
 * Input validators compile on first use unless `compileValidatorsNow` (see `newValidatorCompiler`).
 */
export function loadCatalogue(dirs: string[], options: { compileValidatorsNow?: boolean } = {}): Catalogue {
  const toolkits: LoadedToolkit[] = [];
  const owner = new Map<string, string>();
  const compile = newValidatorCompiler({ eager: options.compileValidatorsNow });
  // a query naming a toolkit must name one: no alias may be another toolkit's slug, name or alias
  const nameOwner = new Map<string, string>();
  for (const dir of dirs) {
    for (const file of listToolkitFiles(dir)) {
      const toolkit = loadToolkitFile(file, compile);
      const slugs = [toolkit.definition.slug, ...toolkit.definition.tools.map((t) => t.slug)];
      for (const slug of slugs) {
        const previous = owner.get(slug);
        if (previous) throw new CatalogueError(`${file}: ${slug} is already defined in ${previous}`);
        owner.set(slug, file);
      }
      for (const name of toolkitNames(toolkit.definition)) {
        const previous = nameOwner.get(name);
        if (previous && previous !== toolkit.definition.slug)
          throw new CatalogueError(`${file}: the name or alias "${name}" already names toolkit ${previous}`);
        nameOwner.set(name, toolkit.definition.slug);
      }
      toolkits.push(toolkit);
    }
  }
  return new Catalogue(toolkits);
}
