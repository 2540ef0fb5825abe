// `npm run toolkit:import -- <file-or-url> --operations <ids|all|all-get> [--slug x] [--out tools/x.json]`:
// an OpenAPI 3.x or Swagger 2 document and a chosen list of operations become a toolkit file in our
// format, for the operator to review. One line and exit 1 on any mistake.
import { existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { parseArgs } from 'node:util';
import { CatalogueError, loadToolkitFile } from '../src/catalogue/load.ts';
import { ImportError, type Warnings } from './toolkit-import/errors.ts';
import { listOperations, selectOperations } from './toolkit-import/operations.ts';
import { readSpec } from './toolkit-import/read-spec.ts';
import { specsEntry } from './toolkit-import/specs-entry.ts';
import { TODO } from './toolkit-import/tool.ts';
import { buildToolkit, specIdOf } from './toolkit-import/toolkit.ts';

const USAGE =
  'usage: npm run toolkit:import -- <file-or-url> --operations <operationId,...|all|all-get> [--slug x] [--out tools/x.json] [--spec-id x] [--base-url https://...] [--force]';

async function main(): Promise<void> {
  let parsed;
  try {
    parsed = parseArgs({
      allowPositionals: true,
      options: {
        operations: { type: 'string' },
        slug: { type: 'string' },
        out: { type: 'string' },
        'spec-id': { type: 'string' },
        'base-url': { type: 'string' },
        force: { type: 'boolean', default: false },
      },
    });
  } catch (error) {
    throw new ImportError(`${(error as Error).message}; ${USAGE}`);
  }
  const { values, positionals } = parsed;
  if (positionals.length !== 1 || !values.operations) throw new ImportError(USAGE);
  const source = positionals[0]!;
  const warnings: Warnings = [];
  const spec = await readSpec(source);
  const operations = selectOperations(listOperations(spec, warnings), values.operations);
  const toolkit = buildToolkit(
    spec,
    operations,
    { source, slug: values.slug, specId: values['spec-id'], baseUrl: values['base-url'] },
    warnings,
  );

  const out = values.out ?? `tools/${toolkit.slug}.json`;
  if (existsSync(out) && !values.force) throw new ImportError(`${out} exists: pass --force to replace it`);
  mkdirSync(dirname(out), { recursive: true });
  // checked under a name start-up never reads (not `*.json`), moved into place once it loads
  const draft = `${out}.importing`;
  writeFileSync(draft, `${JSON.stringify(toolkit, null, 2)}\n`);

  // the file as start-up will read it: schema, lint, every input schema compiled
  let review: string | undefined;
  try {
    loadToolkitFile(draft);
  } catch (error) {
    if (!(error instanceof CatalogueError)) throw error;
    const lines = error.message.split('\n').slice(1);
    if (!lines.every((l) => l.includes(TODO))) {
      rmSync(draft);
      throw new ImportError(`the imported toolkit would not load (nothing written): ${lines.map((l) => l.trim()).join('; ')}`);
    }
    review = lines.join('\n');
  }
  renameSync(draft, out);
  for (const warning of warnings) console.warn(`warning: ${warning}`);
  console.log(
    `wrote ${out}: toolkit ${toolkit.slug}, ${toolkit.tools.length} tools, auth ${toolkit.auth_schemes.map((s) => s.mode).join(', ')}`,
  );
  if (review) console.log(`review before it loads (write what the spec does not say):\n${review}`);
  console.log(
    `suggested tools/_specs.json entry:\n  ${JSON.stringify(specIdOf(toolkit))}: ${JSON.stringify(await specsEntry(source, spec))}`,
  );
}

main().catch((error: unknown) => {
  const message = error instanceof Error ? error.message : String(error);
  console.error(`toolkit:import: ${message.split('\n')[0]}`);
  process.exit(1);
});
