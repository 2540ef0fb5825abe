// Writes tools/_schema.json from the zod toolkit schema, so editors validate toolkit files as they are typed.
// `--check` exits 1 when the committed file is stale (CI runs it).
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { toolkitSchema } from '../src/catalogue/schema.ts';

const target = fileURLToPath(new URL('../tools/_schema.json', import.meta.url));
const generated = `${JSON.stringify(z.toJSONSchema(toolkitSchema, { target: 'draft-7', io: 'input' }), null, 2)}\n`;

if (process.argv.includes('--check')) {
  const current = readFileSync(target, 'utf8');
  if (current !== generated) {
    console.error('tools/_schema.json is stale: run `npx tsx scripts/gen-tools-schema.ts`');
    process.exit(1);
  }
  console.log('tools/_schema.json is up to date');
} else {
  writeFileSync(target, generated);
  console.log(`wrote ${target}`);
}
